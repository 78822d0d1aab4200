# `make studio` opens the studio on the built-in demo data; `make test` runs the test suite.
# Each sets up its own virtual environment (.venv) on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: studio test bundle bundle-test wheel-test

studio: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The bundled app for people without Python (packaging/README.md): dist/gan-studio and a .tar.gz of it.
bundle:
	packaging/build_bundle.sh cpu

# Builds the bundle and runs its own --self-test (the tests marked `bundle`, which `make test` leaves out).
bundle-test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m bundle tests/install

# The sdist and the wheel, installed into a fresh virtual environment, whose gan-studio passes --self-test.
wheel-test:
	packaging/check_wheel.sh

# torch 2.13.0 first: its CPU build installs quickly (no multi-GB CUDA libraries), and the project's range admits it.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)
