#!/usr/bin/env bash
# Run the molecule scenario molecule/default (`make molecule`, part of `make test`).
#
# The scenario starts the WSUS emulator itself (molecule/default/create.yml: two servers, TLS, NTLM,
# the control API) and stops it by pid (destroy.yml), so nothing is left running, even on failure.
# The exit code is molecule's: it is the truth (idempotence failures only show there).
#
# Usage: [VENV=.venv] bash scripts/molecule.sh [molecule test options, e.g. --destroy=never]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
VENV=$(cd "$VENV" && pwd)
if [ ! -x "$VENV/bin/molecule" ]; then
    echo "molecule is not installed in $VENV: run 'make venv' first" >&2
    exit 2
fi
# molecule/default/molecule.yml takes the collection from .venv/collections (the link `make venv` makes).
if [ ! -e "$ROOT/.venv/collections/ansible_collections/ops/wsus/galaxy.yml" ]; then
    echo "$ROOT/.venv/collections/ansible_collections/ops/wsus does not lead to this checkout: run 'make venv'" >&2
    exit 2
fi
# molecule and ansible-compat run ansible-config, ansible-playbook and ansible-galaxy by name,
# before molecule.yml is read: the venv's bin must come first on PATH.
export PATH="$VENV/bin:$PATH"
# Only the user's ansible.cfg would change the run; molecule writes its own.
unset ANSIBLE_CONFIG

start=$SECONDS
rc=0
molecule test "$@" || rc=$?
echo "molecule test: exit code $rc after $((SECONDS - start)) s"
exit "$rc"
