#!/usr/bin/env bash
# make demo: the ops.wsus.wsus_sync role and the sync health report against the WSUS emulator of this
# repository, in about a minute, on a fresh machine after `make venv`. Nothing outside a temporary directory
# is touched.
#
#   1. start the emulator: two WSUS servers on 127.0.0.1 (HTTPS with its own CA, NTLM), an upstream
#      (wsus01, wsus-root.demo.test) and the server that becomes its replica (wsus02, wsus-replica.demo.test)
#   2. check mode with --diff on wsus01: what the example inventory would change, and the report a CI job posts
#   3. apply it with --diff: the changes, then a synchronization with its progress
#   4. apply it again: nothing changes (changed=0)
#   5. the hierarchy: the upstream, then its replica (examples/site.yml, in that order)
#   6. examples/health.yml: healthy; then the upstream's scheduled synchronizations stop, two days pass,
#      and the report turns critical (the playbook exits non-zero, as a cron job or CI schedule would see)
#   7. stop the emulator (by its pid, also on Ctrl-C or error)
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

# Both servers: examples/inventory/emulator.yml (wsus01, with the example group_vars) plus the replica wsus02
# and the ports the emulator picked ($TMP/hierarchy.yml, written in step 5).
hierarchy() {
    local book=$1
    shift
    ansible-playbook -i examples/inventory/emulator.yml -i "$TMP/hierarchy.yml" "$book" \
        -e "@$TMP/hierarchy-vars.json" "$@"
}

# The emulator's control API (test-only, no authentication): control INDEX METHOD PATH [JSON]
control() {
    python - "$TMP/emulator.json" "$@" <<'PY'
import json, ssl, sys, urllib.request
info = json.loads(open(sys.argv[1]).readline())
index, method, path = int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = sys.argv[5].encode() if len(sys.argv) > 5 else None
url = "https://127.0.0.1:%d/_emulator/%s" % (info["ports"][index], path)
request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
context = ssl.create_default_context(cafile=info["ca_path"])
print(json.dumps(json.load(urllib.request.urlopen(request, context=context, timeout=10))))
PY
}

start=$SECONDS

heading "1/7  Start the WSUS emulator"
say "Two WSUS servers for tests: the administrative web service [MS-WSUSAR] over HTTPS (its own CA),"
say "Windows authentication (NTLM), simulated synchronizations of 6 seconds. Loopback only."
python -m wsus_emulator --host 127.0.0.1 --port 0 --tls --control --sync-seconds 6 \
    --servers 2 --name wsus-root.demo.test --name wsus-replica.demo.test \
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
print("wsus02 is %s" % info["urls"][1])
PY

heading "2/7  What would change? (--check --diff)"
say "The role validates the wsus_sync document of examples/inventory (group_vars/wsus.wsus_sync.yml)"
say "against schemas/wsus_sync.schema.json, compares it with the server and shows the difference."
say "Check mode writes nothing and starts no synchronization."
playbook --check --diff
heading "    The report a CI job would post on the pull request ($TMP/report/wsus-sync.md)"
cat "$TMP/report/wsus-sync.md"

heading "3/7  Apply it (--diff), then synchronize"
say "The same run without --check: the options are written, and because they changed"
say "(wsus_sync_run: on_change) the server synchronizes; the role prints its progress."
playbook --diff

heading "4/7  Apply it again: nothing to do"
say "Idempotent: the server already matches the document, so nothing is written or started."
playbook --diff | tee "$TMP/again.log"
if grep -Eq 'changed=[1-9]|failed=[1-9]' "$TMP/again.log" || ! grep -q 'changed=0' "$TMP/again.log"; then
    echo "Expected changed=0 on the second run" >&2
    exit 1
fi
echo "OK: changed=0, the server matches the document."

heading "5/7  The hierarchy: the upstream, then its replica"
say "wsus02 joins as a replica of wsus01 (group wsus_replicas): the example's replica document"
say "(group_vars/wsus_replicas.wsus_sync.yml) with the emulated upstream's name and port. examples/site.yml"
say "applies the upstream first (nothing to do now), then the replica, which synchronizes from it."
python - "$TMP" examples/inventory/group_vars/wsus_replicas.wsus_sync.yml <<'PY'
import json, os, sys
import yaml
tmp, example = sys.argv[1], sys.argv[2]
info = json.loads(open(os.path.join(tmp, "emulator.json")).readline())
document = yaml.safe_load(open(example))
document["update_source"].update(server=info["names"][0], port=info["ports"][0])
yaml.safe_dump(document, open(os.path.join(tmp, "replica.wsus_sync.yml"), "w"), sort_keys=False)
host = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "wsus_server": "127.0.0.1", "wsus_username": "WSUS\\admin", "wsus_password": "Passw0rd!"}
replica = dict(host, wsus_port=info["ports"][1], wsus_fqdn=info["names"][1], wsus_upstream="wsus01",
               wsus_sync_file=os.path.join(tmp, "replica.wsus_sync.yml"))
inventory = {"all": {"children": {"wsus": {
    "hosts": {"wsus01": {"wsus_port": info["ports"][0], "wsus_fqdn": info["names"][0]}},
    "children": {"wsus_replicas": {"hosts": {"wsus02": replica}}}}}}}
yaml.safe_dump(inventory, open(os.path.join(tmp, "hierarchy.yml"), "w"), sort_keys=False)
json.dump({"wsus_use_ssl": True, "wsus_ca_path": info["ca_path"], "wsus_auth": "ntlm",
           "wsus_sync_poll_interval": 2, "wsus_health_dir": os.path.join(tmp, "health")},
          open(os.path.join(tmp, "hierarchy-vars.json"), "w"))
print("wsus02's update source: %s" % json.dumps(document["update_source"]))
PY
hierarchy examples/site.yml | tee "$TMP/hierarchy.log"
grep -Eq '^wsus02 +: ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0' "$TMP/hierarchy.log" || {
    echo "Expected the replica wsus02 to be applied" >&2; exit 1; }
say "The upstream now lists its replica (the emulator's view of ExecuteSPGetAllDownstreamServers):"
control 0 GET downstream_servers | python -c 'import json, sys
for row in json.load(sys.stdin)["downstream_servers"]:
    print("  %s  replica=%s  version %s  last sync %s" % (
        row["DomainName"], row["IsReplica"], row["Version"], row["RollupLastSyncTime"]))'

heading "6/7  Is every server synchronizing? (examples/health.yml)"
say "sync_health reads each server (reads only), the hierarchy checks compare them: the replica is"
say "registered at its upstream and synchronized after it. The playbook exits 0 when nothing is critical."
hierarchy examples/health.yml
cat "$TMP/health/sync-health.md"
echo "OK: the fleet is healthy."
echo
say "Now the upstream's scheduled synchronizations stop (a hung service) and two days pass"
say "(the emulator's simulated clock; the report is evaluated as of that clock)."
control 0 POST settings '{"scheduler_stopped": true}' >/dev/null
control 0 POST clock '{"advance_seconds": 172800}' >/dev/null
control 1 POST clock '{"advance_seconds": 172800}' >/dev/null
now=$(control 0 GET clock | python -c 'import json, sys; print(json.load(sys.stdin)["now"])')
rc=0
hierarchy examples/health.yml -e "wsus_health_reference_time=$now" || rc=$?
cat "$TMP/health/sync-health.md"
if [ "$rc" -eq 0 ]; then
    echo "Expected the health report to be critical" >&2
    exit 1
fi
echo "As expected: critical, ansible-playbook exited $rc (a cron job or a CI schedule reports it)."

heading "7/7  Stop the emulator"
kill "$EMULATOR_PID"
wait "$EMULATOR_PID" 2>/dev/null || true
echo "Stopped the emulator (pid $EMULATOR_PID)."
EMULATOR_PID=
echo
echo "Demo finished in $((SECONDS - start)) s. Next: README.md (use against a real WSUS), docs/role.md, make test."
