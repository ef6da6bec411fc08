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
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt emulator/pyproject.toml 2>/dev/null | md5sum | cut -c1-12)

.PHONY: venv test unit pytest quality molecule demo bench emulator clean

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -e emulator
	@mkdir -p $(COLLECTIONS)/ansible_collections/ops
	@ln -sfn $(ROOT) $(COLLECTIONS)/ansible_collections/ops/wsus
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

## make test: everything CI checks
test: pytest quality molecule

pytest: venv
	$(PY) -m pytest

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
	rm -rf $(VENV) tests/output .pytest_cache
