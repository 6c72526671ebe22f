"""``python -m zeroth_q.landscape``: files, sizes, starts, and Newton going downhill."""

import json
import struct
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from zeroth_q.landscape.tool import filter_normalized


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def landscape(*args):
    return subprocess.run(
        [sys.executable, "-m", "zeroth_q.landscape", *args], capture_output=True, text=True, timeout=300
    )


def test_rosenbrock_slice_along_two_parameters(tmp_path):
    proc = landscape(
        "--objective",
        "rosenbrock",
        "--params",
        "0,1",
        "--x0",
        "-1.2",
        "--y0",
        "1.0",
        "--optimizers",
        "adam,newton,bfgs",
        "--steps",
        "60",
        "--lr",
        "0.05",
        "--resolution",
        "20",
        "--size",
        "400x300",
        "--out",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    assert png_size(tmp_path / "paths.png") == (400, 300)
    with Image.open(tmp_path / "journey.gif") as gif:
        assert gif.size == (400, 300) and gif.n_frames > 10
    record = json.loads((tmp_path / "paths.json").read_text())
    for name, path in record["paths"].items():
        assert path["coordinates"][0] == [-1.2, 1.0], name
    newton = record["paths"]["newton"]
    assert newton["final_loss"] < newton["start_loss"] / 100
    np.testing.assert_allclose(newton["coordinates"][-1], [1.0, 1.0], atol=1e-4)


def test_xor_network_on_the_paths_principal_plane(tmp_path):
    proc = landscape(
        "--optimizers",
        "newton,adam,zo-adam",
        "--steps",
        "15",
        "--resolution",
        "12",
        "--size",
        "320x240",
        "--out",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "paths.json").read_text())
    assert record["labels"][0].startswith("PC1")
    for path in record["paths"].values():
        np.testing.assert_allclose(path["coordinates"][0], [0.0, 0.0], atol=1e-9)
    assert record["paths"]["newton"]["final_loss"] < record["paths"]["newton"]["start_loss"]
    assert png_size(tmp_path / "paths.png") == (320, 240)


def test_bad_arguments_are_reported_in_one_line(tmp_path):
    proc = landscape("--optimizers", "newtn", "--out", str(tmp_path))
    assert proc.returncode == 2 and "Did you mean 'newton'" in proc.stderr and "Traceback" not in proc.stderr
    proc = landscape("--objective", "rosenbrock", "--params", "0,5", "--out", str(tmp_path))
    assert proc.returncode == 2 and "out of range" in proc.stderr


def test_filter_normalisation_matches_each_filter_norm():
    rng = np.random.default_rng(0)
    reference = np.concatenate([np.full(3, 2.0), np.full(3, 0.1), [5.0]])
    filters = [np.arange(0, 3), np.arange(3, 6)]
    scaled = filter_normalized(rng.standard_normal(7), reference, filters)
    for index in filters:
        assert np.linalg.norm(scaled[index]) == pytest.approx(np.linalg.norm(reference[index]))
    assert scaled[6] == 0.0


def test_vqe_slice_defaults_to_the_optimizers_a_shot_based_circuit_can_run(tmp_path):
    args = [
        "--objective",
        "vqe",
        "--set",
        "qubits=2",
        "--set",
        "reps=1",
        "--set",
        "shots=200",
        "--params",
        "0,1",
    ]
    proc = landscape(*args, "--steps", "15", "--resolution", "8", "--size", "300x240", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "paths.json").read_text())
    assert set(record["paths"]) == {"spsa", "zo-adam", "parameter-shift-adam", "2spsa", "qnspsa"}
    for path in record["paths"].values():
        np.testing.assert_allclose(path["coordinates"][0], record["start"], atol=1e-9)
    assert png_size(tmp_path / "paths.png") == (300, 240)


def test_xor_random_filter_normalised_plane_with_kfac(tmp_path):
    args = ["--optimizers", "kfac,natural-gradient,sgd", "--directions", "random", "--damping", "0.001"]
    proc = landscape(
        *args, "--steps", "30", "--resolution", "10", "--size", "300x240", "--out", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "paths.json").read_text())
    assert record["labels"][0].startswith("direction 1 (filter-normalised)")
    for name in ("kfac", "natural-gradient"):
        path = record["paths"][name]
        np.testing.assert_allclose(path["coordinates"][0], [0.0, 0.0], atol=1e-9)
        assert path["final_loss"] < 0.5 * path["start_loss"], name
