"""The README, the first screen: its examples run as printed and its links lead somewhere."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)#:]+)(?:#[^)]*)?\)")


def test_the_readme_examples_run_as_printed(tmp_path, monkeypatch):
    """The five-line VQE and the user's QAOA, in order, in one namespace, as a reader types them."""
    monkeypatch.chdir(tmp_path)
    text = README.read_text()
    namespace: dict = {"__name__": "__readme__"}
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start(1))
        exec(compile("\n" * line + match[1], str(README), "exec"), namespace)
    assert len(BLOCK.findall(text)) == 2
    objective, result = namespace["objective"], namespace["result"]
    # each angle drives three gates, scaled by 2: frequencies 2, 4, 6
    assert objective.frequencies() == ((2.0, 4.0, 6.0), (2.0, 4.0, 6.0))
    # 2 * 3 shifted circuits per parameter and the centre, per step; the final evaluation once
    assert result.cost.evaluations == 30 * (2 * (3 + 3) + 1) + 1
    assert result.cost.shots == 1000 * result.cost.evaluations  # one measured group (all ZZ)
    # p = 1 QAOA on a triangle reaches the max cut (two of three edges): energy -0.5
    assert result.metrics["energy"] == pytest.approx(-0.5, abs=0.05)


def test_every_relative_link_of_the_readme_names_a_file():
    targets = [target for target in LINK.findall(README.read_text()) if not target.startswith("http")]
    assert targets
    missing = [target for target in targets if not (ROOT / target).is_file()]
    assert not missing, missing
