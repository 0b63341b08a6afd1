# The two commands a fresh machine needs: `make demo` and `make test`. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-smoke clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,oracle,pandas,image,plot,tensorboard]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/seed_example.py

lint: $(STAMP)
	$(BIN)/ruff check neuronet tests examples benchmarks

test: $(STAMP) lint
	$(BIN)/python -m pytest

# Benchmarks run in their own venv: the peers (PyTorch, Keras on TensorFlow and JAX, scikit-learn) are
# heavy and stay out of .venv, so the tests see exactly the project's dependencies. neuronet is
# installed there editable. An uninstallable peer is skipped by the harness, with a line saying so.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -e . pyinstrument threadpoolctl
	-$(BENCH_VENV)/bin/pip install -q torch==2.13.0
	-$(BENCH_VENV)/bin/pip install -q keras tensorflow-cpu
	-$(BENCH_VENV)/bin/pip install -q jax
	-$(BENCH_VENV)/bin/pip install -q scikit-learn
	touch $(BENCH_STAMP)

# e.g. `make bench BENCH_ARGS="--threads 1"` on a busy machine (see benchmarks/README.md)
BENCH_ARGS ?=

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run.py --smoke

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
