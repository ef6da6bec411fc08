"""ops.wsus benchmarks: `make bench` prints a table and writes benchmarks/results.json.

1. SOAP calls of a no-op converge, per declared section and in total (floor: one per distinct read).
2. Wall time of a no-op sync_options task / an ansible.builtin.ping task, same playbook shape (median).
3. The role converging 50 emulated servers with forks 10 and 25.
4. With --latency-ms 50: measured time against calls x latency.
5. Resolving 200 product names against a catalog of 2,000 categories.
6. The cost of the limits on answers (max_response_mb, request_timeout, the decoder's checks): the same work
   with them and with them switched off, on normal answers.

Every emulator started here is stopped by pid, and every request loop is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
COLLECTIONS = os.path.join(REPO, os.environ.get("VENV", ".venv"), "collections")
sys.path.insert(0, COLLECTIONS)

from wsus_emulator.testing import EmulatorProcess  # noqa: E402
from support.playbook import connection_defaults, play, run_playbook  # noqa: E402

from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ensure_sync_options  # noqa: E402
from ansible_collections.ops.wsus.plugins.module_utils._state.resolve import resolve  # noqa: E402
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap  # noqa: E402
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import transport as transport_module  # noqa: E402
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import Category, WsusClient  # noqa: E402

FULL_DOCUMENT = {
    "update_source": {"type": "microsoft_update"},
    "proxy": {
        "enabled": True,
        "server": "proxy.corp.example",
        "port": 3128,
        "username": "svc-proxy",
        "domain": "CORP",
        "password": "bench-proxy-password",
    },
    "products": ["Microsoft Server operating system-21H2", {"title": "Office", "type": "product_family"}],
    "classifications": ["Critical Updates", "Security Updates"],
    "schedule": {"automatic": True, "time": "03:00", "timezone": "Europe/Berlin", "per_day": 2},
    "languages": ["en", "de"],
    "storage": {"local": True, "download_only_approved": True, "express_files": False},
}
# The distinct reads each section needs (the floor of a no-op converge).
FLOOR = {
    "update_source": {"ExecuteSPGetConfiguration"},
    "proxy": {"ExecuteSPGetConfiguration", "HasProxyPassword"},
    "storage": {"ExecuteSPGetConfiguration"},
    "languages": {"ExecuteSPGetConfiguration", "ExecuteSPGetAllLanguagesWithEnabledState"},
    "schedule": {"GetSubscription"},
    # products and classifications also need the configuration: on a replica they must be refused.
    "products": {
        "ExecuteSPGetConfiguration",
        "GetSubscription",
        "ExecuteSPGetCategories(products)",
        "GetSubscriptionCategories(products)",
    },
    "classifications": {
        "ExecuteSPGetConfiguration",
        "GetSubscription",
        "ExecuteSPGetCategories(classifications)",
        "GetSubscriptionCategories(classifications)",
    },
}


def client_for(server, index=0):
    return WsusClient.connect(
        "127.0.0.1", port=server.ports[index], username="WSUS\\admin", password="Passw0rd!", auth="ntlm", timeout=30
    )


def converge(server, document, check_mode=False, index=0):
    """One ensure_sync_options; returns (changed, operations called, request bodies sent)."""
    with client_for(server, index) as client:
        bodies = []
        post = client.transport.post

        def recording_post(operation, body, *args, **kwargs):
            bodies.append(body)
            return post(operation, body, *args, **kwargs)

        client.transport.post = recording_post
        changed, dummy = ensure_sync_options(client, document, check_mode=check_mode)
        return changed, list(client.calls), bodies


def bench_calls(server):
    """1. SOAP calls of a no-op converge, per section and for the full document.

    A duplicate is a request sent twice with the same body (operation and arguments)."""
    server.reset()
    converge(server, FULL_DOCUMENT)
    rows = {}
    for section in FULL_DOCUMENT:
        changed, calls, bodies = converge(server, {section: FULL_DOCUMENT[section]})
        rows[section] = {
            "calls": len(calls),
            "operations": calls,
            "floor": len(FLOOR[section]),
            "changed": changed,
            "duplicates": len(bodies) - len(set(bodies)),
        }
    changed, calls, bodies = converge(server, FULL_DOCUMENT)
    floor = len(set().union(*FLOOR.values()))
    total = {"calls": len(calls), "floor": floor, "changed": changed, "duplicates": len(bodies) - len(set(bodies))}
    problems = [
        name
        for name, row in list(rows.items()) + [("full document", total)]
        if row["changed"] or row["duplicates"] or row["calls"] > row["floor"]
    ]
    if problems:
        raise RuntimeError(
            "a no-op converge changed something, repeated a call or exceeded the floor: %s %s"
            % (problems, json.dumps(rows))
        )
    return {"per_section": rows, "total": total}


def bench_task_ratio(server, runs):
    """2. A no-op sync_options task against an ansible.builtin.ping task, both delegated to localhost in the
    same playbook: the median over ``runs`` separate ansible-playbook runs of each task's own wall time."""
    server.reset()
    converge(server, FULL_DOCUMENT)
    tasks = [
        {"name": "sync_options", "ops.wsus.sync_options": FULL_DOCUMENT, "delegate_to": "localhost"},
        {"name": "ping", "ansible.builtin.ping": {}, "delegate_to": "localhost"},
    ]
    durations = {"sync_options": [], "ping": []}
    for dummy in range(runs):
        run = run_playbook([play(tasks, connection_defaults(server))], COLLECTIONS)
        if run.rc != 0:
            raise RuntimeError("ratio playbook failed: %s" % run.stdout[-2000:])
        for name, result in run.results():
            if result.get("changed"):
                raise RuntimeError("the no-op %s task reported a change" % name)
            durations[name].append(result["_duration_s"])
    sync_median, ping_median = (statistics.median(durations[key]) for key in ("sync_options", "ping"))
    return {
        "runs": runs,
        "sync_options_median_s": round(sync_median, 4),
        "ping_median_s": round(ping_median, 4),
        "ratio": round(sync_median / ping_median, 2),
        "sync_options_s": durations["sync_options"],
        "ping_s": durations["ping"],
    }


def bench_fleet(servers, forks_list):
    """3. The role converging N emulated servers: wall time and time per host, per forks value."""
    inventory = {
        "all": {
            "hosts": {},
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "wsus_server": "127.0.0.1",
                "wsus_username": "WSUS\\admin",
                "wsus_password": "Passw0rd!",
                "wsus_auth": "ntlm",
                "wsus_sync_run": "never",
                "wsus_sync": FULL_DOCUMENT,
            },
        }
    }
    for index, port in enumerate(servers.ports):
        inventory["all"]["hosts"]["wsus%02d" % index] = {"wsus_port": port}
    plays = [
        {"name": "converge the fleet", "hosts": "all", "gather_facts": False, "roles": [{"role": "ops.wsus.wsus_sync"}]}
    ]
    results = {}
    for forks in forks_list:
        for index in range(len(servers.ports)):
            servers.reset(index)
        rows = {}
        for attempt in ("first", "no-op"):
            started = time.monotonic()
            run = run_playbook(
                plays, COLLECTIONS, inventory=inventory, extra_args=["--forks", str(forks)], timeout=1200
            )
            elapsed = time.monotonic() - started
            if run.rc != 0:
                raise RuntimeError("fleet run failed: %s %s" % (run.stdout[-3000:], run.stderr[-3000:]))
            rows[attempt] = {"wall_s": round(elapsed, 2), "per_host_s": round(elapsed / len(servers.ports), 3)}
        results["forks_%d" % forks] = rows
    return {"servers": len(servers.ports), **results}


def bench_latency(latency_ms):
    """4. A no-op converge against a server that delays every answer by ``latency_ms``."""
    server = EmulatorProcess(["--latency-ms", str(latency_ms)])
    try:
        converge(server, FULL_DOCUMENT)
        started = time.monotonic()
        dummy, calls, dummy_bodies = converge(server, FULL_DOCUMENT)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    # +1 request: the NTLM handshake's first leg is answered with 401 (delayed too) on a new connection.
    expected = (len(calls) + 1) * latency_ms / 1000.0
    return {
        "latency_ms": latency_ms,
        "calls": len(calls),
        "measured_s": round(elapsed, 3),
        "calls_x_latency_s": round(len(calls) * latency_ms / 1000.0, 3),
        "with_handshake_s": round(expected, 3),
        "overhead_s": round(elapsed - expected, 3),
    }


def bench_resolve(names=200, size=2000, repeat=5):
    """5. Resolving product names against a large catalog (pure function)."""
    catalog = [
        Category(
            str(uuid.UUID(int=index + 1)),
            "Product %04d" % index,
            ("Company", "ProductFamily", "Product")[min(index % 50, 2)],
            False,
            None,
            None,
        )
        for index in range(size)
    ]
    wanted = ["product %04d" % (index * (size // names)) for index in range(names - 10)]
    # ten wildcards of ten products each, from the end of the catalog ("Product 199?" ...)
    wanted += ["Product %03d?" % (size // 10 - 1 - index) for index in range(10)]
    timings = []
    for dummy in range(repeat):
        started = time.perf_counter()
        resolved = resolve(wanted, catalog)
        timings.append(time.perf_counter() - started)
    return {
        "names": names,
        "catalog": size,
        "resolved_ids": len(resolved),
        "median_ms": round(statistics.median(timings) * 1000, 2),
    }


@contextlib.contextmanager
def limits_off():
    """What the client did before the limits: read() the whole answer, no deadline, no decoder checks."""
    saved = (
        transport_module.Transport._guard,
        transport_module.Transport._read_body,
        soap.check_before_parsing,
        soap.check_after_parsing,
    )
    transport_module.Transport._guard = lambda self, sock: sock
    transport_module.Transport._read_body = lambda self, response, operation: response.read()
    soap.check_before_parsing = lambda body, max_tags: None
    soap.check_after_parsing = lambda root: None
    try:
        yield
    finally:
        (
            transport_module.Transport._guard,
            transport_module.Transport._read_body,
            soap.check_before_parsing,
            soap.check_after_parsing,
        ) = saved


def _largest_answer():
    path = os.path.join(REPO, "tests", "unit", "wsusar", "largest_answer.py")
    spec = importlib.util.spec_from_file_location("ops_wsus_largest_answer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.largest_category_answer()


def _paired_ms(work, repeat):
    """Medians (ms) of ``work`` with the limits and without, run alternately so that a machine busy with
    something else slows both alike."""
    timings = {"with": [], "without": []}
    for dummy in range(repeat):
        for label in ("with", "without"):
            with contextlib.ExitStack() as stack:
                if label == "without":
                    stack.enter_context(limits_off())
                started = time.perf_counter()
                work()
                timings[label].append(time.perf_counter() - started)
    return tuple(statistics.median(timings[label]) * 1000 for label in ("with", "without"))


def bench_limits(server, repeat=21, converges=41):
    """6. Decoding the emulator's full category list and the largest realistic answer (about 2 MB), and a
    no-op converge (8 calls, in-process, no Ansible), each with the limits and without them (medians)."""
    server.reset()
    converge(server, FULL_DOCUMENT)
    with client_for(server) as client:
        dummy, catalog = client.transport.post(
            "ExecuteSPGetCategories",
            soap.encode_request(
                "ExecuteSPGetCategories",
                {
                    "preferredCulture": "en",
                    "retrieveUpdateClassifications": False,
                    "fromSyncDate": soap.MIN_DATETIME,
                    "toSyncDate": soap.MAX_DATETIME_TEXT,
                },
            ),
            '"http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService/ExecuteSPGetCategories"',
        )
    rows = {}
    for label, body, count in (("emulator_catalog", catalog, repeat), ("largest_answer", _largest_answer(), repeat)):

        def decode(body=body):
            soap.decode_response("ExecuteSPGetCategories", body)

        with_limits, without = _paired_ms(decode, count)
        rows[label] = {"bytes": len(body), "with_ms": round(with_limits, 2), "without_ms": round(without, 2)}

    def noop():
        converge(server, FULL_DOCUMENT)

    noop()  # warm
    with_limits, without = _paired_ms(noop, converges)
    rows["noop_converge"] = {"calls": 8, "with_ms": round(with_limits, 2), "without_ms": round(without, 2)}
    for row in rows.values():
        row["cost_ms"] = round(row["with_ms"] - row["without_ms"], 2)
        row["cost_percent"] = round(100.0 * (row["with_ms"] - row["without_ms"]) / row["without_ms"], 1)
    return rows


def table(results):
    lines = ["%-44s %s" % ("benchmark", "result"), "-" * 78]
    calls = results["soap_calls"]
    for section, row in calls["per_section"].items():
        lines.append("%-44s %d calls (floor %d)" % ("1. no-op calls: " + section, row["calls"], row["floor"]))
    total = calls["total"]
    lines.append(
        "%-44s %d calls (floor %d, duplicates %d)"
        % ("1. no-op calls: full document", total["calls"], total["floor"], total["duplicates"])
    )
    ratio = results["task_ratio"]
    lines.append(
        "%-44s %.3f s vs ping %.3f s = x%.2f"
        % (
            "2. no-op sync_options / ping (median)",
            ratio["sync_options_median_s"],
            ratio["ping_median_s"],
            ratio["ratio"],
        )
    )
    fleet = results.get("fleet")
    if fleet:
        for key, rows in fleet.items():
            if key.startswith("forks_"):
                lines.append(
                    "%-44s first %.1f s (%.2f s/host), no-op %.1f s (%.2f s/host)"
                    % (
                        "3. role, %d servers, %s" % (fleet["servers"], key.replace("_", " ")),
                        rows["first"]["wall_s"],
                        rows["first"]["per_host_s"],
                        rows["no-op"]["wall_s"],
                        rows["no-op"]["per_host_s"],
                    )
                )
    latency = results["latency"]
    lines.append(
        "%-44s %.3f s measured, %d calls x %d ms = %.3f s"
        % (
            "4. no-op converge at %d ms latency" % latency["latency_ms"],
            latency["measured_s"],
            latency["calls"],
            latency["latency_ms"],
            latency["calls_x_latency_s"],
        )
    )
    resolve_row = results["resolve"]
    lines.append(
        "%-44s %.2f ms"
        % (
            "5. resolve %d names in %d categories" % (resolve_row["names"], resolve_row["catalog"]),
            resolve_row["median_ms"],
        )
    )
    for key, label in (
        ("emulator_catalog", "6. decode the emulator's category list"),
        ("largest_answer", "6. decode the largest realistic answer"),
        ("noop_converge", "6. no-op converge, in-process (8 calls)"),
    ):
        row = results["limits"][key]
        lines.append(
            "%-44s %.2f ms with the limits, %.2f ms without (%+.2f ms, %+.1f %%)"
            % (label, row["with_ms"], row["without_ms"], row["cost_ms"], row["cost_percent"])
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--forks", type=int, nargs="+", default=[10, 25])
    parser.add_argument("--runs", type=int, default=5, help="playbook runs for benchmark 2")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--skip-fleet", action="store_true", help="leave out benchmark 3 (the role on a fleet)")
    parser.add_argument("--output", default=os.path.join(HERE, "results.json"))
    args = parser.parse_args()
    started = time.monotonic()
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
    }
    server = EmulatorProcess()
    try:
        results["soap_calls"] = bench_calls(server)
        results["task_ratio"] = bench_task_ratio(server, args.runs)
        results["limits"] = bench_limits(server)
    finally:
        server.stop()
    if not args.skip_fleet:
        fleet = EmulatorProcess(["--servers", str(args.servers)])
        try:
            results["fleet"] = bench_fleet(fleet, args.forks)
        finally:
            fleet.stop()
    results["latency"] = bench_latency(args.latency_ms)
    results["resolve"] = bench_resolve()
    results["total_s"] = round(time.monotonic() - started, 1)
    with open(args.output, "w") as handle:
        json.dump(results, handle, indent=2)
    print(table(results))
    print("\nwritten %s in %.0f s" % (os.path.relpath(args.output, REPO), results["total_s"]))


if __name__ == "__main__":
    main()
