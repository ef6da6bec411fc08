"""Simulated synchronization runs, computed from wall-clock time (restart-safe, no background thread).

A run lasts ``duration`` seconds from ``start``:

* the first ``requested_window`` seconds (0.5 s, or a quarter of a shorter run) the subscription state is
  3 ("run requested") and the progress row is [0, 0, 0];
* the rest is split evenly between the phases: Categories (3), then Updates (1), then Approvals (2) on a
  replica; a category-only run has the Categories phase only. The state is 2 ("working") and
  ProcessedItems grows linearly from 0 to TotalItems within each phase.

When the end time has passed the run is finished by the state (see ``state.ServerState.advance``).
"""

from __future__ import annotations

import math
from typing import Dict, List, Tuple

STATE_IDLE = 0
STATE_WORKING = 2
STATE_RUN_REQUESTED = 3

PHASE_NONE = 0
PHASE_UPDATES = 1
PHASE_APPROVALS = 2
PHASE_CATEGORIES = 3

PHASE_NAMES = {PHASE_NONE: "NotProcessing", PHASE_UPDATES: "Updates", PHASE_APPROVALS: "Approvals",
               PHASE_CATEGORIES: "Categories"}

EVENT_NAMESPACE = 2
EVENT_SCHEDULED_START = 381
EVENT_MANUAL_START = 382
EVENT_SUCCEEDED = 384
EVENT_CANCELED = 385
EVENT_FAILED = 386

RESULTS = ("succeeded", "failed", "canceled")


def requested_window(duration: float) -> float:
    return min(0.5, duration / 4.0)


def plan_phases(category_only: bool, replica: bool, category_total: int, update_total: int,
                approval_total: int) -> List[List[int]]:
    phases = [[PHASE_CATEGORIES, max(1, category_total)]]
    if not category_only:
        phases.append([PHASE_UPDATES, max(1, update_total)])
        if replica:
            phases.append([PHASE_APPROVALS, max(1, approval_total)])
    return phases


def progress(run: Dict, now: float) -> Tuple[int, int, int, int]:
    """(subscription state, phase, total, processed) of a run at ``now`` (the run must not be finished)."""
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


def end_time(run: Dict) -> float:
    return run["start"] + float(run["duration"])
