# Two commands do all the set-up on a fresh machine (Python 3.11 + the package registry):
#   make demo   create .venv, install the project, train the default VQE
#   make test   create .venv, install the project with its dev tools, run ruff and pytest
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-slow notebooks lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

demo: $(PY)
	$(PY) -m pip install -q -e .
	$(PY) -m zeroth_q.run --objective vqe

test: $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m ruff check .
	$(PY) -m pytest -q

test-slow: $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m pytest -q -m slow

# Re-run both notebooks at full size, in place (outputs and notebooks/figures/*.png).
notebooks: $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) notebooks/execute.py notebooks/shot_budgets.ipynb
	$(PY) notebooks/execute.py notebooks/classical_validation.ipynb

lint: $(PY)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
