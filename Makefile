# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench bench-player pictures setup system clean

demo: setup
	$(PY) -m demos one_neuron

test: setup lint typecheck
	MPLBACKEND=Agg $(PY) -m pytest -q

# ruff, configured in pyproject.toml: zero findings, checked before every test run.
lint: setup
	$(PY) -m ruff check engine nn demos scripts tests

# mypy, configured in pyproject.toml: zero findings, checked before every test run.
typecheck: setup
	$(PY) -m mypy

bench: setup
	$(PY) -m scripts.bench

bench-player: setup
	$(PY) -m scripts.bench_player

pictures: setup
	$(PY) -m scripts.readme_pictures

setup: system $(STAMP)

system:
	@scripts/setup-system $(SYSTEM_FLAGS)

# The venv is rebuilt only when pyproject.toml changes, so re-running is fast.
# torch is pinned to the CPU wheel first so the `torch` extra installs nothing bigger.
# -qq: errors still show; setuptools' note that an editable install is editable does not.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "chainrule needs Python >= 3.10")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0" || echo "torch CPU wheel unavailable: torch cross-checks will skip"
	$(PY) -m pip install -qq -e ".[all]" || $(PY) -m pip install -qq -e ".[plot,progress,notebook,browser,digits,fast,bench,test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis

# The in-browser playground: out/playground/ (Pyodide + viz.js from npm, no CDN).
playground-build: setup
	$(PY) -m scripts.build_playground

playground: playground-build
	@echo "playground: http://127.0.0.1:8000/index.html"
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory out/playground

bench-playground: playground-build
	$(PY) -m scripts.bench_playground
