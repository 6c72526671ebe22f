# Two commands do all the set-up on a fresh machine (Python 3.11 + the package registry):
#   make demo   create .venv, install the project, train the default VQE
#   make test   create .venv, install the project with its dev tools, run ruff, pytest and the site's strict build
#   make docs   serve the documentation site at http://127.0.0.1:8000 (mkdocs serve)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-slow docs docs-build notebooks lint clean

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
	$(MAKE) docs-build

# --strict: a broken link or anchor, or a documented object without a docstring, fails the build.
# Not -q: mkdocs counts the warnings it prints, and -q would hide them.
docs-build: $(PY)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

docs: $(PY)
	$(PY) -m pip install -q -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve

test-slow: $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m pytest -q -m slow

# Re-run both notebooks at full size, in place (outputs and notebooks/figures/*.png).
notebooks: $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) notebooks/execute.py notebooks/shot_budgets.ipynb
	$(PY) notebooks/execute.py notebooks/classical_validation.ipynb
	$(PY) notebooks/execute.py notebooks/zo_scaling.ipynb
	$(PY) notebooks/execute.py notebooks/optimizer_benchmark.ipynb

lint: $(PY)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) runs site .pytest_cache .ruff_cache
