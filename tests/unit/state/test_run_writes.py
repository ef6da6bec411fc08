"""The shared write loop (_writes.py): order, what counts as applied, and the partial-failure message."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._writes import ApplyError, run_writes
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusError, WsusPermissionError


def test_writes_run_in_order_and_one_that_found_nothing_to_write_is_not_listed():
    done = []
    steps = [("a", lambda: done.append("a")), ("b", lambda: False), ("c", lambda: done.append("c") or True)]
    assert run_writes(steps) == ["a", "c"]
    assert done == ["a", "c"]


def test_wanted_is_asked_just_before_each_step_so_a_write_can_replan_the_next():
    wanted = {"a": True, "b": False, "c": True}

    def write_a():
        wanted["b"] = True  # a write that re-planned: b is now needed

    steps = [("a", write_a), ("b", lambda: None), ("c", lambda: None)]
    assert run_writes(steps, wanted=lambda name: wanted[name]) == ["a", "b", "c"]


def test_a_failure_lists_what_was_applied_and_the_wanted_rest():
    def fail():
        raise WsusError("WSUS rejected B: no", "B")

    steps = [("a", lambda: None), ("b", fail), ("c", lambda: None), ("d", lambda: None)]
    with pytest.raises(ApplyError) as caught:
        run_writes(steps, wanted=lambda name: name != "d", rerun_hint=lambda exc: None)
    assert str(caught.value) == (
        "WSUS rejected B: no. Applied: a. Not applied: b, c. Running the task again applies the rest."
    )
    assert caught.value.operation == "B"


def test_a_lost_answer_is_not_known_and_the_callers_hint_wins():
    def lost():
        error = WsusPermissionError("connection dropped", "B")
        error.outcome_unknown = True
        raise error

    with pytest.raises(ApplyError) as caught:
        run_writes([("b", lost)])
    assert "Not known whether applied: b. Not applied: nothing." in str(caught.value)
    assert str(caught.value).endswith("with an account in WSUS Administrators to apply the rest.")
    with pytest.raises(ApplyError) as caught:
        run_writes([("b", lost)], rerun_hint=lambda exc: "Wait.")
    assert str(caught.value).endswith("Not applied: nothing. Wait.")
