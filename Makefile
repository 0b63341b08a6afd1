# The two commands a fresh machine needs: `make demo` and `make test`. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-smoke clean browser-deps

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# `make test` installs the test extras (PyTorch is the oracle of many tests); `make demo` only what the
# demo needs (neuronet's own dependencies and scikit-learn for the guide's data).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,oracle,pandas,image,plot,tensorboard,plot_model,onnx,browser-tests,sklearn,mpi]"
	touch $(STAMP)

# Chromium and chromedriver for the playground's browser test (tests/playground/test_browser.py), from Debian's
# packages where we run as root with apt-get; anywhere else this does nothing and that test skips.
browser-deps:
	@if [ ! -x /usr/bin/chromedriver ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
			>/dev/null 2>&1 || echo "(could not install them: the browser test will skip)"; \
	fi

DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[demo]"
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/python examples/seed_example.py

lint: $(STAMP)
	$(BIN)/ruff check neuronet tests examples benchmarks

test: $(STAMP) lint browser-deps
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
