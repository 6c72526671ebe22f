"""Hostile inputs to the command-line tools (issue 28 §7): duplicate keys and deep nesting in
JSON files, over-long names, empty names, non-finite numbers, wrong-typed flags."""

import json

import pytest

from zeroth_q.cli.main import main as run_main
from zeroth_q.landscape.cli import main as landscape_main
from zeroth_q.sweep.__main__ import main as sweep_main

from .test_reliability_cli import assert_one_line_error, main_in_process
from .test_reliability_sizes import ROSENBROCK, landscape_in_process

QUADRATIC = ["--objective", "quadratic", "--set", "dim=2", "--steps", "2"]


def test_a_config_file_with_a_duplicate_key_is_refused_naming_it(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"objective": {"name": "quadratic", "dim": 2, "dim": 3}, "seed": 1}')
    proc = main_in_process("--config", str(config), "--steps", "2", "--out", str(tmp_path / "run"))
    assert_one_line_error(proc, str(config), "'dim' twice")
    assert not (tmp_path / "run").exists()


def test_a_grid_file_with_a_duplicate_key_is_refused_naming_it(tmp_path, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(
        '{"base": {"objective": {"name": "quadratic"}}, "axes": {"seed": [0]}, "axes": {"seed": [1]}}'
    )
    assert sweep_main([str(grid), "--out", str(tmp_path / "sweep"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "'axes' twice" in err and "Traceback" not in err
    assert not (tmp_path / "sweep").exists()


def test_a_deeply_nested_config_file_is_one_line(tmp_path):
    config = tmp_path / "deep.json"
    config.write_text("[" * 100_000 + "]" * 100_000)
    proc = main_in_process("--config", str(config), "--out", str(tmp_path / "run"))
    assert_one_line_error(proc, str(config), "nested")


def test_an_out_name_longer_than_the_file_system_allows_is_one_line(tmp_path):
    out = tmp_path / ("a" * 300)
    proc = main_in_process(*QUADRATIC, "--out", str(out))
    assert_one_line_error(proc, "--out", "too long")


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_optimizer_name_is_refused_not_replaced_by_the_default(tmp_path, name):
    proc = main_in_process(*QUADRATIC, "--optimizer", name, "--out", str(tmp_path / "run"))
    assert_one_line_error(proc, "--optimizer")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--optimizers", ","], "--optimizers"),
        (["--optimizers", ""], "--optimizers"),
        (["--tol", "nan"], "--tol"),
        (["--x0", "inf"], "--x0"),
        (["--x0", "nan"], "--x0"),
        (["--lr", "nan"], "--lr"),
        (["--frames", "100000"], "--frames"),
    ],
)
def test_landscape_options_out_of_range_are_one_line(tmp_path, args, fragment):
    proc = landscape_in_process(*ROSENBROCK, *args, "--out", str(tmp_path / "ls"))
    assert_one_line_error(proc, fragment)
    assert not (tmp_path / "ls").exists()


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        (run_main, ["--objective", "quadratic", "--steps", "abc"]),
        (run_main, ["--objective", "quadratic", "--seed", "1.5"]),
        (sweep_main, ["grid.json", "--workers", "two"]),
        (landscape_main, ["--steps", "abc"]),
    ],
)
def test_a_wrong_typed_flag_is_one_line_without_the_usage(tool, args, capsys):
    with pytest.raises(SystemExit) as stop:
        tool(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "usage:" not in err and "invalid" in err, err
    assert "--help" in err


def test_a_config_file_that_round_trips_is_still_accepted(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"objective": {"name": "quadratic", "dim": 2}, "budget": {"steps": 2}}))
    proc = main_in_process("--config", str(config), "--out", str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stderr
