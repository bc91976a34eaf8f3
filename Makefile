# Developer shortcuts. The README's quick start needs none of them.
PY ?= .venv/bin/python

.PHONY: install test lint bench bench-scale serve samples

install:
	python3 -m venv .venv
	$(PY) -m pip install -e '.[test]'

test:
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check regsearch tests scripts
	$(PY) -m ruff format --check regsearch tests scripts
	$(PY) -m mypy

bench:
	$(PY) scripts/bench_normalize.py
	$(PY) scripts/bench_search.py

bench-scale:  # the corpus at 1x, 4x and 16x on each backend (long: an hour or more)
	$(PY) scripts/bench_scale.py

samples:
	.venv/bin/regsearch ingest corpora/samples

serve: samples
	.venv/bin/regsearch serve
