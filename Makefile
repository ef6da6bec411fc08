# ops.wsus: every target sets itself up on a fresh machine (creates .venv/ when missing, installs,
# then runs); a second call only re-installs when a requirements file changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ROOT := $(CURDIR)
# A collections path in which ansible_collections/ops/wsus is this checkout (ansible-playbook and
# pytest follow the link; ansible-test needs a physical copy and makes its own).
COLLECTIONS := $(VENV)/collections
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt tests/matrix/ansible-2.19.txt emulator/pyproject.toml 2>/dev/null | md5sum | cut -c1-12)

.PHONY: venv kerberos-deps test checks lint unit pytest quality molecule matrix docs docs-lint demo bench emulator clean

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -e emulator
	@mkdir -p $(COLLECTIONS)/ansible_collections/ops
	@ln -sfn $(ROOT) $(COLLECTIONS)/ansible_collections/ops/wsus
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

# The docsite's own venv (requirements-docs.txt): antsibull-docs, Sphinx, pandoc.
DOCS_VENV := $(VENV)/docs
DOCS_STAMP := $(DOCS_VENV)/.installed-$(shell cat requirements-docs.txt tests/matrix/ansible-2.19.txt 2>/dev/null | md5sum | cut -c1-12)

$(DOCS_STAMP):
	@test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-docs.txt
	@rm -f $(DOCS_VENV)/.installed-*
	@touch $@

## make test: everything CI checks. lint first (seconds); then the pytest suite and the other checks run side by
## side on the two cores (pytest keeps about one core busy, waiting on ansible-playbook and the emulators), each
## target's output printed as one block when it ends (--output-sync). Any target run alone works as before.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=recurse pytest checks

## make checks: everything of make test except lint and pytest, one after the other
checks: venv
	$(MAKE) --no-print-directory -j1 quality molecule matrix docs

pytest: venv kerberos-deps
	$(PY) -m pytest

## make kerberos-deps: what tests/kerberos/ (a real MIT KDC on loopback) needs: the KDC packages and libkrb5-dev
## (apt-get, only those missing), gssapi/krb5/k5test (requirements-kerberos.txt) in .venv, gssapi and krb5
## compiled once into ~/.cache/ops-wsus-wheels/. Under a second when all is there.
kerberos-deps: venv
	VENV=$(VENV) bash scripts/kerberos-deps.sh

## make lint: ruff (lint, complexity <= 15 in plugins/, format) and mypy on module_utils/plugin_utils
## (ruff.toml, mypy.ini); seconds, so it runs first
lint: venv
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --no-cache --check .
	$(VENV)/bin/mypy

## make unit: the fast tier (under a minute): no ansible-playbook run and no WSUS server; only the WSDL
## contract tests start a few short-lived emulators. `make test` (make pytest) still runs everything.
UNIT_TESTS := tests/unit tests/contract
unit: venv
	$(PY) -m pytest $(UNIT_TESTS)

## ansible-test sanity, ansible-lint (production), yamllint, changelog fragments (antsibull-changelog lint),
## galaxy build + install + a run from the tarball
quality: venv
	VENV=$(VENV) bash scripts/quality.sh

molecule: venv
	VENV=$(VENV) bash scripts/molecule.sh

## make matrix: the ansible-core version matrix (tests/matrix/ansible-*.txt): each leg in its own venv
## (.venv/legs/, built once; its Python from pyenv), then its smoke (pytest -m smoke) and ansible-test sanity.
## Leg 2.19 is .venv itself, which make pytest and make quality cover: `make matrix MATRIX_LEGS=2.19` runs it alone.
MATRIX_LEGS ?= 2.20 2.21
matrix: venv
	bash scripts/matrix.sh $(MATRIX_LEGS)

## make docs: the docsite with antsibull-docs (module, role and plugin pages, docs/*.md), lint-collection-docs
## clean, sphinx-build without warnings: build/docs/html/index.html. make docs-lint: the lint alone.
docs: $(DOCS_STAMP)
	VENV=$(DOCS_VENV) bash scripts/docs.sh

docs-lint: $(DOCS_STAMP)
	VENV=$(DOCS_VENV) bash scripts/docs.sh lint

## make demo: start the embedded emulator, converge the example inventory twice, stop it
demo: venv
	VENV=$(VENV) bash scripts/demo.sh

## make bench: benchmarks/results.json and a table
bench: venv
	VENV=$(VENV) bash scripts/bench.sh

## make emulator: a WSUS emulator in the foreground on http://127.0.0.1:8530 (Ctrl-C stops it)
emulator: venv
	$(VENV)/bin/wsus-emulator --port 8530 --control

clean:
	rm -rf $(VENV) tests/output .pytest_cache build/docs
