"""The README's "Your circuit, your Hamiltonian" code, run exactly as printed."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Your circuit, your Hamiltonian"


def section_code() -> list[str]:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.index("\n### ", start + len(SECTION))
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.DOTALL)


def test_the_readme_trains_the_same_qaoa_from_qiskit_and_pennylane(capsys):
    blocks = section_code()
    assert len(blocks) == 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    qiskit, pennylane = namespace["result"], namespace["pennylane_result"]
    # p = 1 QAOA on a ring reaches energy -1 (3/4 of the cut); both runs get there within shot noise
    assert qiskit.metrics["energy"] == pytest.approx(-1.0, abs=0.05)
    assert pennylane.metrics["energy"] == pytest.approx(-1.0, abs=0.05)
    assert qiskit.cost == pennylane.cost  # the same rows: 2 * (4 + 4) shifted circuits + the centre per step
    assert qiskit.cost.evaluations == 40 * 17 + 1
    assert namespace["objective"].frequencies() == ((2.0, 4.0, 6.0, 8.0), (2.0, 4.0, 6.0, 8.0))
    printed = capsys.readouterr().out
    assert printed.startswith("((2.0, 4.0, 6.0, 8.0), (2.0, 4.0, 6.0, 8.0)) -")
