"""Simulated synchronization runs, computed from wall-clock time (restart-safe, no background thread).

A run lasts ``duration`` seconds from ``start``:

* the first ``requested_window`` seconds (0.5 s, or a quarter of a shorter run) the subscription state is
  3 ("run requested") and the progress row is [0, 0, 0];
* the rest is split evenly between the phases: Categories (3), then Updates (1), then Approvals (2) on a
  replica; a category-only run has the Categories phase only. The state is 2 ("working") and
  ProcessedItems grows linearly from 0 to TotalItems within each phase.

When the end time has passed the run is finished by the state (see ``state.ServerState.advance``).

StopSubscription does not end a run at once: it records ``stop_requested`` and the run is "stopping" (state
2, the .NET SynchronizationStatus.Stopping value, progress frozen where the stop found it) for the run's
``stop_seconds``; then it ends canceled.
"""

from __future__ import annotations

import math
from typing import Dict, List, Tuple

STATE_IDLE = 0
STATE_WORKING = 2
STATE_RUN_REQUESTED = 3
# The wire value of "stopping" is not documented: 2 is .NET SynchronizationStatus.Stopping, and ADeep reads
# 2 as busy. Any non-zero value is busy to a client.
STATE_STOPPING = 2

PHASE_NONE = 0
PHASE_UPDATES = 1
PHASE_APPROVALS = 2
PHASE_CATEGORIES = 3

PHASE_NAMES = {
    PHASE_NONE: "NotProcessing",
    PHASE_UPDATES: "Updates",
    PHASE_APPROVALS: "Approvals",
    PHASE_CATEGORIES: "Categories",
}

EVENT_NAMESPACE = 2
EVENT_SCHEDULED_START = 381
EVENT_MANUAL_START = 382
EVENT_SUCCEEDED = 384
EVENT_CANCELED = 385
EVENT_FAILED = 386
EVENT_CANCELED_ALT = 387
# Which id a canceled run writes: ADeep maps 385 to canceled; a script written against a real server's
# SUSDB reads 387 (and never 385) as the end of a synchronization. Chosen per server (--cancel-event).
CANCEL_EVENTS = (EVENT_CANCELED, EVENT_CANCELED_ALT)
# The ErrorCode of a real failure event (UssCommunicationError, "The remote name could not be resolved").
FAILURE_HRESULT = -2146233079

RESULTS = ("succeeded", "failed", "canceled")


def requested_window(duration: float) -> float:
    return min(0.5, duration / 4.0)


def plan_phases(
    category_only: bool, replica: bool, category_total: int, update_total: int, approval_total: int
) -> List[List[int]]:
    phases = [[PHASE_CATEGORIES, max(1, category_total)]]
    if not category_only:
        phases.append([PHASE_UPDATES, max(1, update_total)])
        if replica:
            phases.append([PHASE_APPROVALS, max(1, approval_total)])
    return phases


def progress(run: Dict, now: float) -> Tuple[int, int, int, int]:
    """(subscription state, phase, total, processed) of a run at ``now`` (the run must not be finished)."""
    stopped = run.get("stop_requested")
    if stopped is not None:
        dummy, phase, total, processed = _progress(run, min(now, stopped))
        return STATE_STOPPING, phase, total, processed
    return _progress(run, now)


def _progress(run: Dict, now: float) -> Tuple[int, int, int, int]:
    elapsed = max(0.0, now - run["start"])
    duration = max(0.001, float(run["duration"]))
    window = requested_window(duration)
    if elapsed < window:
        return STATE_RUN_REQUESTED, PHASE_NONE, 0, 0
    phases = run["phases"]
    working = max(0.001, duration - window)
    share = working / len(phases)
    position = min(elapsed - window, working - 1e-9)
    number = min(len(phases) - 1, int(position // share))
    phase, total = phases[number]
    fraction = (position - number * share) / share
    processed = min(total, int(math.floor(total * fraction)))
    return STATE_WORKING, phase, total, processed


def stopping(run: Dict) -> bool:
    return run.get("stop_requested") is not None


def end_time(run: Dict) -> float:
    if stopping(run):
        return run["stop_requested"] + float(run.get("stop_seconds") or 0.0)
    return run["start"] + float(run["duration"])
