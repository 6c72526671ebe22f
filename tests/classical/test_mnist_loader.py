"""The MNIST loader: the shipped files, a user's directory, and every way a file can be bad."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classical.idx import DataError, read_idx
from classical.mnist import FILE_SHA256, PACKAGE_DATA_DIR, load_mnist

TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]  # LeCun's MNIST page
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_shipped_mnist_has_the_standard_split_and_label_counts():
    train, test = load_mnist()
    assert train.inputs.shape == (60_000, 784) and test.inputs.shape == (10_000, 784)
    assert train.inputs.dtype == np.uint8 and int(train.inputs.max()) == 255
    assert np.bincount(train.labels).tolist() == TRAIN_LABEL_COUNTS
    assert np.bincount(test.labels).tolist() == TEST_LABEL_COUNTS
    assert test.labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_loaded_arrays_are_read_only_because_they_are_shared_through_the_cache():
    train, _ = load_mnist()
    assert load_mnist() is load_mnist()
    with pytest.raises(ValueError):
        train.inputs[0, 0] = 1


def test_license_note_ships_beside_the_data():
    note = (PACKAGE_DATA_DIR / "DATA_LICENSE").read_text()
    assert "Creative Commons Attribution-Share Alike 3.0" in note and "LeCun" in note


def _copy_of_data(tmp_path: Path) -> Path:
    for path in PACKAGE_DATA_DIR.glob("*.gz"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_a_user_directory_of_decompressed_files_gives_the_same_arrays(tmp_path):
    for path in PACKAGE_DATA_DIR.glob("*.gz"):
        (tmp_path / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
    mine, shipped = load_mnist(str(tmp_path)), load_mnist()
    np.testing.assert_array_equal(mine.train.inputs, shipped.train.inputs)
    np.testing.assert_array_equal(mine.test.labels, shipped.test.labels)


def test_corrupted_file_names_the_file_and_the_expected_checksum(tmp_path):
    data = _copy_of_data(tmp_path)
    name = "t10k-labels-idx1-ubyte"
    raw = bytearray(gzip.decompress((data / f"{name}.gz").read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one wrong label: a valid IDX file of the right size
    (data / f"{name}.gz").write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError, match=name) as error:
        load_mnist(str(data))
    assert FILE_SHA256[name] in str(error.value)


def test_truncated_gzip_file_is_reported_by_name(tmp_path):
    data = _copy_of_data(tmp_path)
    path = data / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz is truncated or corrupted") as error:
        load_mnist(str(data))
    assert FILE_SHA256["train-images-idx3-ubyte"] in str(error.value)


def test_file_that_is_not_gzip_is_reported_by_name(tmp_path):
    data = _copy_of_data(tmp_path)
    (data / "train-labels-idx1-ubyte.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz"):
        load_mnist(str(data))


def test_missing_file_names_the_file_and_its_checksum(tmp_path):
    data = _copy_of_data(tmp_path)
    (data / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz .* is missing") as error:
        load_mnist(str(data))
    assert FILE_SHA256["t10k-images-idx3-ubyte"] in str(error.value)


def test_missing_directory_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_mnist(str(tmp_path / "nowhere"))


def test_idx_header_that_disagrees_with_the_size_is_rejected(tmp_path):
    # A file whose checksum is right (we computed it) but whose header claims 3 items.
    raw = bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 7])
    path = tmp_path / "short-idx1-ubyte"
    path.write_bytes(raw)
    with pytest.raises(DataError, match="implies 11"):
        read_idx(path, hashlib.sha256(raw).hexdigest())


def test_idx_reader_parses_multi_byte_types(tmp_path):
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=">f4")
    raw = bytes([0, 0, 0x0D, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + values.tobytes()
    path = tmp_path / "floats-idx2"
    path.write_bytes(raw)
    np.testing.assert_array_equal(read_idx(path, hashlib.sha256(raw).hexdigest()), values)


def test_cli_reports_a_corrupted_data_dir_in_one_line_without_traceback(tmp_path):
    (tmp_path / "mnist").mkdir()
    data = _copy_of_data(tmp_path / "mnist")
    (data / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    command = [sys.executable, "-m", "zeroth_q.run", "--objective", "mnist", "--steps", "1", "--no-progress",
               "--set", f"data_dir={data}", "--out", str(tmp_path / "run")]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "t10k-labels-idx1-ubyte.gz is truncated or corrupted" in out.stderr
    assert FILE_SHA256["t10k-labels-idx1-ubyte"] in out.stderr
