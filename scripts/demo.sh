#!/usr/bin/env bash
# make demo: the ops.wsus.wsus_sync role against the WSUS emulator of this repository, in about half
# a minute, on a fresh machine after `make venv`. Nothing outside a temporary directory is touched.
#
#   1. start the emulator (a WSUS server on 127.0.0.1, HTTPS with its own CA, NTLM)
#   2. check mode with --diff: what the example inventory would change, and the report a CI job posts
#   3. apply it with --diff: the changes, then a synchronization with its progress
#   4. apply it again: nothing changes (changed=0)
#   5. stop the emulator (by its pid, also on Ctrl-C or error)
#
# Usage: [VENV=.venv] bash scripts/demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
VENV=$(cd "$VENV" 2>/dev/null && pwd) || { echo "no virtualenv at ${VENV}: run 'make venv' first" >&2; exit 2; }
for tool in python ansible-playbook; do
    [ -x "$VENV/bin/$tool" ] || { echo "$VENV/bin/$tool is missing: run 'make venv' first" >&2; exit 2; }
done
[ -e "$VENV/collections/ansible_collections/ops/wsus" ] || {
    echo "$VENV/collections does not hold ops.wsus: run 'make venv' first" >&2; exit 2; }

export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$VENV/collections"
export ANSIBLE_RETRY_FILES_ENABLED=0
# emulator.yml has no replicas: the second play of site.yml just has nothing to do.
export ANSIBLE_HOST_PATTERN_MISMATCH=ignore
# The example documents take the proxy password from the environment (a CI secret in real life).
export WSUS_PROXY_PASSWORD='demo-only-Pr0xy-secret'

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ops-wsus-demo.XXXXXX")
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-tmp"
EMULATOR_PID=

if [ -t 1 ]; then BOLD=$'\033[1m'; DIM=$'\033[2m'; RESET=$'\033[0m'; else BOLD=; DIM=; RESET=; fi
heading() { printf '\n%s==== %s ====%s\n' "$BOLD" "$*" "$RESET"; }
say() { printf '%s%s%s\n' "$DIM" "$*" "$RESET"; }

cleanup() {
    local rc=$?
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
        echo "Stopped the emulator (pid $EMULATOR_PID)."
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

playbook() {
    ansible-playbook -i examples/inventory/emulator.yml examples/site.yml -e "@$TMP/emulator-vars.json" "$@"
}

start=$SECONDS

heading "1/5  Start the WSUS emulator"
say "A WSUS server for tests: the administrative web service [MS-WSUSAR] over HTTPS (its own CA),"
say "Windows authentication (NTLM), simulated synchronizations of 6 seconds. Loopback only."
python -m wsus_emulator --host 127.0.0.1 --port 0 --tls --control --sync-seconds 6 \
    >"$TMP/emulator.json" 2>"$TMP/emulator.err" &
EMULATOR_PID=$!
for _ in $(seq 100); do
    [ -s "$TMP/emulator.json" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$TMP/emulator.json" ]; then
    echo "The emulator did not start:" >&2
    cat "$TMP/emulator.err" >&2
    exit 1
fi
# The inventory examples/inventory/emulator.yml names the host wsus01 and its account; the emulator
# picked a free port and made a CA: hand both to ansible-playbook as extra variables.
python - "$TMP/emulator.json" "$TMP/emulator-vars.json" "$TMP/report/wsus-sync" <<'PY'
import json, sys
info = json.loads(open(sys.argv[1]).readline())
json.dump({"wsus_port": info["ports"][0], "wsus_use_ssl": True, "wsus_ca_path": info["ca_path"],
           "wsus_auth": "ntlm", "wsus_sync_poll_interval": 2, "wsus_sync_report_path": sys.argv[3]},
          open(sys.argv[2], "w"))
print("wsus01 is %s (pid %s), CA %s" % (info["urls"][0], info["pid"], info["ca_path"]))
PY

heading "2/5  What would change? (--check --diff)"
say "The role validates the wsus_sync document of examples/inventory (group_vars/wsus.wsus_sync.yml)"
say "against schemas/wsus_sync.schema.json, compares it with the server and shows the difference."
say "Check mode writes nothing and starts no synchronization."
playbook --check --diff
heading "    The report a CI job would post on the pull request ($TMP/report/wsus-sync.md)"
cat "$TMP/report/wsus-sync.md"

heading "3/5  Apply it (--diff), then synchronize"
say "The same run without --check: the options are written, and because they changed"
say "(wsus_sync_run: on_change) the server synchronizes; the role prints its progress."
playbook --diff

heading "4/5  Apply it again: nothing to do"
say "Idempotent: the server already matches the document, so nothing is written or started."
playbook --diff | tee "$TMP/again.log"
if grep -Eq 'changed=[1-9]|failed=[1-9]' "$TMP/again.log" || ! grep -q 'changed=0' "$TMP/again.log"; then
    echo "Expected changed=0 on the second run" >&2
    exit 1
fi
echo "OK: changed=0, the server matches the document."

heading "5/5  Stop the emulator"
kill "$EMULATOR_PID"
wait "$EMULATOR_PID" 2>/dev/null || true
echo "Stopped the emulator (pid $EMULATOR_PID)."
EMULATOR_PID=
echo
echo "Demo finished in $((SECONDS - start)) s. Next: README.md (use against a real WSUS), docs/role.md, make test."
