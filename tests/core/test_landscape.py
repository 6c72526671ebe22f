"""``python -m zeroth_q.landscape``: exact and projection modes, and what the figures promise."""

import contextlib
import io
import json
import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from zeroth_q.landscape import cli
from zeroth_q.landscape.drawing import legend_label
from zeroth_q.landscape.planes import filter_normalized
from zeroth_q.landscape.surface import Surface, loss_on_plane
from zeroth_q.landscape.tracing import TracedPath
from zeroth_q.landscape.view import choose_view

SMALL = ("--steps", "15", "--resolution", "8", "--size", "320x280", "--pretrain", "40", "--frames", "6")


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def landscape(*args):
    """The command in this process (imports are shared, so it is fast): exit code and stderr."""
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = cli.main(list(args))
    return code, err.getvalue() + "".join(str(w.message) for w in caught)


def computed(*args):
    return cli.run(cli.parser().parse_args(list(args)))


def test_exact_mode_contour_is_the_loss_each_path_recorded():
    """The default (xor) trains θ[24], θ[25] from (2, -2): every path lies in the drawn plane,
    and the contour's loss at each iterate is the loss the run recorded there, to 1e-9."""
    result = computed(*SMALL)
    assert {p.name for p in result.paths} == {"sgd", "adam", "spsa", "zo-adam", "newton", "bfgs", "lbfgs"}
    assert result.mode == "exact" and result.plane.labels[0].startswith("θ[24]: output weight")
    rng = np.random.default_rng(0)
    for path in result.paths:
        np.testing.assert_array_equal(path.coordinates[0], [2.0, -2.0])
        assert path.off_plane.max() < 1e-12, path.name
        contour = loss_on_plane(result.objective, result.plane, path.coordinates, rng)
        np.testing.assert_allclose(contour, path.losses, rtol=0, atol=1e-9, err_msg=path.name)
        assert path.final_loss < path.start_loss, path.name
    grid = np.stack([result.surface.a.ravel(), result.surface.b.ravel()], axis=1)
    walked_on = result.traced.evaluate(grid, rng).values
    np.testing.assert_allclose(result.surface.values.ravel(), walked_on, rtol=0, atol=1e-12)


def test_default_study_separates_first_and_second_order_methods():
    """docs/guides/sweeps.md: in the default figure every method moves; Newton (9 steps) and BFGS (13) reach
    the valley floor (0.0246) that SGD, Adam, ZO-Adam (0.043-0.046 after 100 steps) and SPSA
    (0.17 with its gain calibrated from 25 directions; 0.10 from the first step's one) are
    still walking towards."""
    result = computed("--resolution", "5")
    final = {p.name: p.final_loss for p in result.paths}
    assert set(final) == {"sgd", "adam", "spsa", "zo-adam", "newton", "bfgs", "lbfgs"}
    floor = min(final.values())
    for name in ("newton", "bfgs", "lbfgs"):
        assert final[name] < floor * 1.001, name
    steps = {p.name: p.steps for p in result.paths}
    assert steps["newton"] < 20 and steps["bfgs"] < 20 and steps["sgd"] == steps["adam"] == 100
    assert floor == pytest.approx(0.0246, abs=1e-4)
    for name in ("sgd", "adam", "zo-adam"):
        assert 0.043 < final[name] < 0.047, name
    assert 0.15 < final["spsa"] < 0.19
    for path in result.paths:
        assert result.view.reach[path.name] > 1.0, path.name
    assert not result.view.clipped and result.surface.log_scale


def test_both_modes_render_and_say_what_the_colours_are(tmp_path):
    exact, projected = tmp_path / "exact", tmp_path / "projected"
    code, err = landscape("--optimizers", "adam,newton", *SMALL, "--out", str(exact))
    assert code == 0, err
    code, err = landscape(
        "--directions", "pca", "--optimizers", "newton,adam,kfac", *SMALL, "--out", str(projected)
    )
    assert code == 0, err
    for directory, mode in ((exact, "exact"), (projected, "projection")):
        assert png_size(directory / "paths.png") == (320, 280)
        with Image.open(directory / "journey.gif") as gif:
            assert gif.size == (320, 280) and gif.n_frames == 6
        record = json.loads((directory / "paths.json").read_text())
        assert record["mode"] == mode
    record = json.loads((projected / "paths.json").read_text())
    assert record["labels"][0].startswith("PC1") and record["train"] is None
    assert max(p["off_plane"] for p in record["paths"].values()) > 0.1
    for path in record["paths"].values():
        np.testing.assert_allclose(path["coordinates"][0], [0.0, 0.0], atol=1e-9)
    exact_record = json.loads((exact / "paths.json").read_text())
    assert exact_record["train"] == [24, 25] and exact_record["start"] == [2.0, -2.0]
    assert all(p["off_plane"] == 0.0 for p in exact_record["paths"].values())


def test_captions_say_whether_colours_follow_the_paths():
    exact = computed("--optimizers", "adam", "--steps", "3", "--resolution", "5", "--pretrain", "0")
    assert "every path walks on" in exact.caption and "held" in exact.title
    projected = computed(
        "--directions", "random", "--optimizers", "adam", "--steps", "3", "--resolution", "5"
    )
    assert "loss ON the plane, not along the paths" in projected.caption
    assert "projected" in projected.title


def test_rosenbrock_is_exact_and_a_diverging_path_is_clipped_and_named(tmp_path):
    """A two-parameter objective is drawn exactly; SGD at lr 10 diverges: it is clipped out
    of a view fitted to Newton's path, marked in the legend and written as null loss."""
    args = ["--objective", "rosenbrock", "--x0", "-1.2", "--y0", "1.0", "--optimizers", "sgd,newton"]
    code, err = landscape(
        *args,
        "--lr",
        "10",
        "--steps",
        "60",
        "--resolution",
        "12",
        "--size",
        "400x300",
        "--frames",
        "0",
        "--out",
        str(tmp_path),
    )
    assert code == 0 and not err, err
    record = json.loads((tmp_path / "paths.json").read_text())
    assert record["mode"] == "exact" and record["log_scale"]
    sgd, newton = record["paths"]["sgd"], record["paths"]["newton"]
    assert sgd["status"] == "diverged" and sgd["clipped"] and sgd["final_loss"] is None
    assert not newton["clipped"] and newton["final_loss"] < 1e-10
    np.testing.assert_allclose(newton["coordinates"][-1], [1.0, 1.0], atol=1e-5)
    a_min, a_max, b_min, b_max = record["bounds"]
    assert a_min < -1.2 and a_max > 1.0 and a_max - a_min < 5
    assert png_size(tmp_path / "paths.png") == (400, 300) and not (tmp_path / "journey.gif").exists()


@pytest.mark.parametrize(
    ("low", "high", "log"), [(0.01, 0.5, True), (0.05, 1.0, False), (-1.0, 100.0, False)]
)
def test_colours_are_on_a_log_scale_when_the_loss_spans_a_decade_and_a_half(low, high, log):
    a, b = np.meshgrid(np.arange(3.0), np.arange(3.0))
    values = np.linspace(low, high, 9).reshape(3, 3)
    values[1, 1] = np.inf  # an overflow on the grid does not count
    assert Surface(a, b, values).log_scale is log


def traced(name, coordinates):
    coordinates = np.asarray(coordinates, dtype=float)
    losses = np.ones(len(coordinates))
    return TracedPath(name, coordinates, losses, "completed", "", coordinates, np.zeros(len(coordinates)))


def test_view_fits_the_paths_that_matter_and_clips_an_excursion():
    paths = [
        traced("sgd", [[0, 0], [0.5, 0.2], [1.0, 0.3]]),
        traced("adam", [[0, 0], [-0.4, 0.8]]),
        traced("newton", [[0, 0], [150.0, -200.0], [1.0, 1.0]]),
    ]
    view = choose_view(paths)
    assert view.clipped == {"newton"} and view.reach["newton"] == pytest.approx(250.0)
    a_min, a_max, b_min, b_max = view.bounds
    assert -1 < a_min < -0.4 and 1.0 < a_max < 2 and -0.5 < b_min < 0 and 0.8 < b_max < 1.5
    assert choose_view(paths[:2]).clipped == frozenset()
    assert choose_view(paths, window=(-10, 10, -10, 10)).clipped == {"newton"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizers", "newtn"], "Did you mean 'newton'"),
        (["--objective", "rosenbrock", "--train", "0,5"], "out of range"),
        (["--train", "0,1", "--directions", "pca"], "exclude each other"),
        (["--directions", "pca", "--x0", "1"], "principal plane"),
        (["--optimizers", "kfac", "--pretrain", "0"], "no dense layers"),
        (["--window", "1,0,0,1"], "AMIN < AMAX"),
    ],
)
def test_bad_arguments_are_reported_in_one_line(args, message, tmp_path, capsys):
    assert cli.main([*args, "--steps", "2", "--resolution", "5", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_out_that_is_a_file_is_refused_by_the_module_command(tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "zeroth_q.landscape", "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr


def test_filter_normalisation_matches_each_filter_norm():
    rng = np.random.default_rng(0)
    reference = np.concatenate([np.full(3, 2.0), np.full(3, 0.1), [5.0]])
    filters = [np.arange(0, 3), np.arange(3, 6)]
    scaled = filter_normalized(rng.standard_normal(7), reference, filters)
    for index in filters:
        assert np.linalg.norm(scaled[index]) == pytest.approx(np.linalg.norm(reference[index]))
    assert scaled[6] == 0.0


def test_vqe_pair_trains_exactly_with_the_shot_based_optimizers():
    """A shot-based circuit restricted to two angles keeps its fidelities, so QN-SPSA runs;
    the caption says that each grid value is one shot draw (deterministic XOR's does not)."""
    args = ["--objective", "vqe", "--set", "qubits=2", "--set", "reps=1", "--set", "shots=200"]
    result = computed(*args, "--train", "0,1", "--steps", "10", "--resolution", "6")
    assert result.mode == "exact" and result.stochastic and "one random draw" in result.caption
    assert {p.name for p in result.paths} == {"spsa", "zo-adam", "parameter-shift-adam", "2spsa", "qnspsa"}
    for path in result.paths:
        np.testing.assert_allclose(path.coordinates[0], result.paths[0].coordinates[0], atol=1e-12)
        assert path.off_plane.max() < 1e-12
    xor = computed("--optimizers", "adam", "--steps", "2", "--resolution", "5", "--pretrain", "0")
    assert not xor.stochastic and "draw" not in xor.caption


def test_xor_random_filter_normalised_plane_with_kfac():
    args = ["--optimizers", "kfac,natural-gradient,sgd", "--directions", "random", "--damping", "0.001"]
    result = computed(*args, "--steps", "30", "--resolution", "5")
    assert result.plane.labels[0].startswith("direction 1 (filter-normalised)")
    start, u = result.paths[0].points[0], result.plane.u
    assert abs(u @ start) < 0.5 * np.linalg.norm(u) * np.linalg.norm(start)  # not drawn like the start
    for path in result.paths:
        np.testing.assert_allclose(path.coordinates[0], [0.0, 0.0], atol=1e-9)
        if path.name != "sgd":
            assert path.final_loss < 0.5 * path.start_loss, path.name


def test_legend_says_what_the_picture_hides():
    """Final loss and steps (PNG) or the current loss (GIF frame), distance off the plane,
    a clipped excursion and a divergence."""
    path = traced("sgd", [[0, 0], [1, 1], [300, 0]])
    path.losses = np.array([0.8, 0.5, np.inf])
    path.off_plane = np.array([0.0, 0.25, 3.0])
    path.status = "diverged"
    view = choose_view([path, traced("adam", [[0, 0], [0.5, 0.5]])])
    png = legend_label(path, view)
    assert png == "sgd: loss inf after 2 steps, ≤3 off plane, clipped (reaches 300), then diverged"
    assert legend_label(path, view, loss=0.5).startswith("sgd: loss 0.5, ≤3 off plane")
    assert legend_label(traced("adam", [[0, 0], [0.5, 0.5]]), view) == "adam: loss 1 after 1 step"
