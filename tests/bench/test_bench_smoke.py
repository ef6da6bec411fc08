"""The benchmarks keep working (`make bench` is not part of `make test`): benchmark 1, which fails on a
repeated call, a no-op that changes something or a section above its floor, and benchmark 5 small."""

from __future__ import annotations

import importlib.util
import os

from support.paths import REPO


def load_benchmarks():
    spec = importlib.util.spec_from_file_location("ops_wsus_benchmarks", os.path.join(REPO, "benchmarks", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_op_converge_is_at_the_floor_of_calls(fresh_emulator):
    bench = load_benchmarks()
    result = bench.bench_calls(fresh_emulator)
    assert result["total"] == {"calls": 8, "floor": 8, "changed": False, "duplicates": 0}
    assert set(result["per_section"]) == set(bench.FULL_DOCUMENT)


def test_resolve_benchmark_resolves_every_name():
    result = load_benchmarks().bench_resolve(names=20, size=200, repeat=1)
    # 10 exact titles and 10 wildcards of 10 products each
    assert result["names"] == 20 and result["resolved_ids"] == 10 + 100


def test_limits_benchmark_runs_with_and_without_the_limits(fresh_emulator):
    bench = load_benchmarks()
    rows = bench.bench_limits(fresh_emulator, repeat=2, converges=2)
    assert set(rows) == {"emulator_catalog", "largest_answer", "noop_converge"}
    assert 1.5e6 < rows["largest_answer"]["bytes"] < 2.5e6
    for row in rows.values():
        assert row["with_ms"] > 0 and row["without_ms"] > 0
    # the switch restores everything: the limits are back on afterwards
    from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap, transport

    assert (
        transport.Transport._guard.__name__ == "_guard" and soap.check_before_parsing.__name__ == "check_before_parsing"
    )
