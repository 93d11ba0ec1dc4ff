# The two set-up commands of the README.  Both work on a fresh Debian machine with Python ≥ 3.11.
PYTHON ?= python3

.PHONY: run test install install-test system-deps

install:
	$(PYTHON) -m pip install --quiet -e .

# Debian packages the tests drive for real (headless browser, GDAL, PDF tools, CJK fonts).
system-deps:
	bash .ci/system-deps

install-test: system-deps
	$(PYTHON) -m pip install --quiet -e '.[test]'

run: install
	cqatlas serve

test: install-test
	$(PYTHON) -m pytest
