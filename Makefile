# dlviz-lab: `make lab` starts JupyterLab with the extension; `make test` runs every suite.
# Both set up .venv and node_modules on first use. Override on the command line, e.g.
#   make lab TORCH_SPEC="torch==2.5.1"   (default: the version in binder/torch-version, as Binder)
#   make setup TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu   (default: pip's indexes)
#   make lab PYTHON=python3.12 LAB_ARGS="--port 9999"

PYTHON ?= python3
VENV ?= .venv
# One torch version for the dev env and Binder; Binder's postBuild reads the same file.
TORCH_VERSION := $(shell cat binder/torch-version)
TORCH_SPEC ?= torch==$(TORCH_VERSION)
TORCH_INDEX_URL ?=
CHROMIUM ?= /usr/bin/chromium
LAB_ARGS ?=

BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
# Offline defaults: nothing is fetched from a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

TS_SOURCES := $(shell find labextension/src labextension/style -type f 2>/dev/null)
SETUP_STAMP := $(VENV)/.dlviz-setup
# A Jupyter Kernel Gateway in an environment without dlviz-lab, for tests/gateway (remote kernels).
GATEWAY_ENV := $(VENV)/gateway
GATEWAY_STAMP := $(GATEWAY_ENV)/.dlviz-gateway
LABEXT_STAMP := dlviz_lab/labextension/package.json

.PHONY: setup lab test test-python test-js test-browser test-install test-binder test-slow test-lessons lint bench clean

setup: $(SETUP_STAMP) $(LABEXT_STAMP) $(GATEWAY_STAMP)

# Python side: CPU torch first (an open requirement could pull a CUDA build), then the package.
$(SETUP_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(if $(TORCH_INDEX_URL),--index-url "$(TORCH_INDEX_URL)") "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q hatchling hatch-jupyter-builder hatch-nodejs-version editables "jupyterlab>=4.5,<5"
	HATCH_JUPYTER_BUILDER_SKIP_NPM=1 $(BIN)/python -m pip install -q --no-build-isolation -e ".[test]"
	@# a reinstall writes install.json through the `labextension develop` link into the build
	@# folder, where the wheel would then hold it twice
	rm -f dlviz_lab/labextension/install.json
	touch $@

# Same torch as the server's env; kernel gateway 3 (jupyter_server 2), ipykernel, scikit-learn.
$(GATEWAY_STAMP): binder/torch-version
	test -x $(GATEWAY_ENV)/bin/python || $(PYTHON) -m venv $(GATEWAY_ENV)
	$(GATEWAY_ENV)/bin/python -m pip install -q $(if $(TORCH_INDEX_URL),--index-url "$(TORCH_INDEX_URL)") "$(TORCH_SPEC)"
	$(GATEWAY_ENV)/bin/python -m pip install -q "jupyter_kernel_gateway>=3,<4" ipykernel scikit-learn
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Frontend: TypeScript -> prebuilt labextension, plus the offline copies of d3, jQuery and require.js.
$(LABEXT_STAMP): $(SETUP_STAMP) node_modules/.package-lock.json $(TS_SOURCES) tsconfig.json
	npm run build
	$(BIN)/jupyter labextension develop --overwrite .
	touch $@

lab: setup
	$(BIN)/jupyter lab --notebook-dir=examples --ServerApp.allow_root=True $(LAB_ARGS)

test: setup test-python test-js test-browser

test-python: setup
	$(BIN)/python -m pytest tests -q --ignore=tests/browser --ignore=tests/js

test-js: setup
	npm test

test-browser: setup
	@test -x "$(CHROMIUM)" || { echo "Browser tests need Chromium at $(CHROMIUM): apt-get install -y chromium (or set CHROMIUM=...)"; exit 1; }
	CHROMIUM=$(CHROMIUM) npx playwright test --config tests/browser/playwright.config.ts

# Opt-in (minutes each, not part of `make test`): the README's pip path in a fresh venv, and
# Binder's environment.yml + postBuild replayed in a fresh venv running examples/welcome.ipynb
# (BINDER_FROM_GIT=1: on a copy of git's files, so postBuild builds the labextension with npm).
test-install: setup
	DLVIZ_TEST_INSTALL=1 $(BIN)/python -m pytest tests/install -q -s -m install

# Opt-in scenarios that train for minutes (the copy task with a delay of 20: RNN vs LSTM vs GRU).
test-slow: setup
	DLVIZ_TEST_SLOW=1 $(BIN)/python -m pytest tests/kernel -q -m slow

# Opt-in: every lesson notebook (examples/lessons/, 3 languages) run top to bottom with nbclient.
test-lessons: setup
	DLVIZ_TEST_LESSONS=1 $(BIN)/python -m pytest tests/lessons -q -s

test-binder: $(SETUP_STAMP)
	TORCH_INDEX_URL="$(TORCH_INDEX_URL)" BINDER_FROM_GIT="$(BINDER_FROM_GIT)" \
		$(BIN)/python tests/install/replay_binder.py

# Python (ruff), TypeScript (ESLint + Prettier, the JupyterLab extension template's set-up) and
# the translation catalogs (every message translated, JupyterLab's JSON up to date).
lint: setup
	$(BIN)/ruff check dlviz_lab kernels tests benchmarks
	npm run lint:check
	$(BIN)/python -m dlviz_lab.translations check


bench: setup
	$(BIN)/python benchmarks/training.py
	$(BIN)/python benchmarks/attention.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/pod_size.py
	$(BIN)/python benchmarks/rnn.py
	$(BIN)/python benchmarks/mlp.py
	$(BIN)/python benchmarks/autoencoder.py

clean:
	rm -rf lib dlviz_lab/labextension dlviz_lab/static/vendor tsconfig.tsbuildinfo test-results artifacts
