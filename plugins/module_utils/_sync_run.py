# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Synchronize now, idempotently: start (or join, or skip) a synchronization, wait for it, and
report its result. No Ansible imports; the ``sync`` action plugin and module both call ``run_sync``.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

import datetime
import re
import time

from ._sync_status import progress_dict, read_sync_status, summarize_events
from ._wsusar.errors import WsusConnectionError, WsusError, WsusHTTPError, WsusTimeoutError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SUCCEEDED_EVENT = 384
FIRST_POLL_S = 2.0
POLL_GROWTH = 1.5
# Consecutive failed polls tolerated while waiting (each already retried by the transport).
TRANSIENT_POLL_FAILURES = 10


class SyncError(WsusError):
    """The synchronization failed, was canceled, or did not end in time."""

    def __init__(self, message, result):
        super().__init__(message, "sync")
        self.result = result


def parse_duration(value, name="duration"):
    """Seconds from ``90``, ``90s``, ``90m``, ``24h``, ``7d``, ``1w`` or ``1h30m``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().lower()
    if re.match(r"^\d+(\.\d+)?$", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhdw])", text)
    if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhdw])", "", text).strip():
        raise ValueError("%s must be a duration such as 90s, 30m, 2h, 7d or 1h30m, got %r" % (name, value))
    return float(sum(float(number) * _UNITS[unit] for number, unit in parts))


class SyncRun:
    """One task's work on one server. ``report(line)`` receives the progress lines for people."""

    def __init__(self, client, label, check_mode=False, report=None, clock=time.monotonic, sleep=time.sleep,
                 now=None):
        self.client = client
        self.label = label
        self.check_mode = check_mode
        self.report = report or (lambda line: None)
        self.clock = clock
        self.sleep = sleep
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._last_line = None

    def run(self, state="completed", mode="full", max_age=None, wait_timeout=7200.0, poll_interval=15.0,
            cancel_on_timeout=False, fail_on_error=True):
        running = self.client.get_subscription_state() != 0
        if state == "stopped":
            return self._stop(running)
        if not running and max_age is not None:
            fresh = self._fresh_success(max_age)
            if fresh is not None:
                return fresh
        started = False
        if not running:
            started = True
            if self.check_mode:
                return self._outcome(changed=True, started=True, result="unknown", sync=None, progress=None,
                                     msg="a synchronization would be started")
            self.client.start_sync(category_only=(mode == "categories_only"))
            self.report("%s: synchronization started" % self.label)
        elif state == "started" or self.check_mode:
            self.report("%s: a synchronization is already running" % self.label)
        else:
            self.report("%s: a synchronization is already running; waiting for it" % self.label)
        if state == "started" or self.check_mode:
            status = read_sync_status(self.client)
            return self._outcome(changed=started, started=started, result=status["result"], sync=status["sync"],
                                 progress=status["progress"])
        return self._wait(started, wait_timeout, poll_interval, cancel_on_timeout, fail_on_error)

    # ------------------------------------------------------------------ states

    def _stop(self, running):
        if running and not self.check_mode:
            self.client.stop_sync()
            self.report("%s: synchronization canceled" % self.label)
        return self._outcome(changed=running, started=False, result="canceled" if running else "not_running",
                             sync=None, progress=None)

    def _fresh_success(self, max_age):
        # "the last successful synchronization": a later failure or cancel does not make it stale.
        events = self.client.get_sync_events()
        successes = [index for index, event in enumerate(events) if event.get("EventId") == SUCCEEDED_EVENT]
        if not successes:
            return None
        result, sync = summarize_events(events[:successes[-1] + 1], running=False)
        if result != "succeeded" or not sync["finished_at"]:
            return None
        finished = datetime.datetime.fromisoformat(sync["finished_at"].replace("Z", "+00:00"))
        age = (self.now() - finished).total_seconds()
        if age >= max_age:
            return None
        return self._outcome(changed=False, started=False, result=result, sync=sync, progress=None,
                             msg="the last synchronization succeeded %d s ago (max_age %d s)" % (age, max_age))

    def _wait(self, started, wait_timeout, poll_interval, cancel_on_timeout, fail_on_error):
        deadline = self.clock() + wait_timeout
        interval = min(FIRST_POLL_S, poll_interval)
        progress, seen, failures = None, None, 0
        while True:
            try:
                progress, running = self._poll()
                seen = progress if running and progress.phase != "not_processing" else seen
                failures = 0
            except (WsusConnectionError, WsusHTTPError, WsusTimeoutError) as exc:
                failures += 1
                if failures > TRANSIENT_POLL_FAILURES:
                    # A SyncError, not the bare transport error: the task may have started the
                    # synchronization, and changed/started/progress must say so.
                    raise self._lost(started, seen or progress, failures, exc) from None
                self.report("%s: status request failed (%s); retrying" % (self.label, exc))
                running = True
            if not running:
                break
            if self.clock() >= deadline:
                return self._timed_out(started, seen or progress, wait_timeout, cancel_on_timeout)
            self.sleep(max(0.0, min(interval, deadline - self.clock())))
            interval = min(interval * POLL_GROWTH, poll_interval)
        return self._finished(started, fail_on_error, progress, seen)

    def _poll(self):
        """One status request while a phase runs; a second only when the phase says idle."""
        progress = self.client.get_sync_progress()
        running = progress.phase != "not_processing" or self.client.get_subscription_state() != 0
        if running:
            self._report_progress(progress)
        return progress, running

    def _report_progress(self, progress):
        shown = progress_dict(progress)
        # One line per phase change and per 10 % step: people want movement, not noise.
        key = (shown["phase"], shown["percent"] // 10)
        if key != self._last_line and shown["phase"] != "not_processing":
            self._last_line = key
            self.report("%s: synchronizing %s %d/%d (%d %%)" % (self.label, shown["phase"], shown["processed"],
                                                                shown["total"], shown["percent"]))

    def _timed_out(self, started, progress, wait_timeout, cancel_on_timeout):
        shown = progress_dict(progress) if progress else None
        if cancel_on_timeout:
            self.client.stop_sync()
        left = "canceled it" if cancel_on_timeout else "left it running"
        if not shown:
            reached = "unknown progress"
        elif shown["phase"] == "not_processing":
            reached = "no phase: the server had not begun working on it"
        else:
            reached = "%s %d/%d (%d %%)" % (shown["phase"], shown["processed"], shown["total"], shown["percent"])
        outcome = self._outcome(changed=started or cancel_on_timeout, started=started,
                                result="canceled" if cancel_on_timeout else "running", sync=None, progress=shown)
        raise SyncError("the synchronization did not finish within %s (reached %s); %s. Raise wait_timeout, or "
                        "check the server's connection to its update source" % (_human(wait_timeout), reached, left),
                        outcome)

    def _lost(self, started, progress, failures, exc):
        shown = progress_dict(progress) if progress else None
        outcome = self._outcome(changed=started, started=started, result="unknown", sync=None, progress=shown)
        return SyncError("%d status requests in a row failed (last: %s); the synchronization may still be running"
                         % (failures, exc), outcome)

    def _finished(self, started, fail_on_error, idle_progress, last_seen):
        # The last poll already read the state (idle) and the progress: only the events are new.
        status = read_sync_status(self.client, state=0, progress=idle_progress)
        shown = progress_dict(last_seen) if last_seen else status["progress"]
        outcome = self._outcome(changed=started, started=started, result=status["result"], sync=status["sync"],
                                progress=shown)
        self.report("%s: synchronization %s" % (self.label, status["result"]))
        if status["result"] in ("failed", "canceled") and fail_on_error:
            raise SyncError("the synchronization %s: %s" % (
                status["result"], status["sync"].get("error_text") or "canceled on the server"), outcome)
        return outcome

    @staticmethod
    def _outcome(changed, started, result, sync, progress, msg=None):
        outcome = {"changed": changed, "started": started, "result": result,
                   "sync": sync or {"started_at": None, "finished_at": None, "duration_s": None, "manual": None,
                                    "error_text": None},
                   "progress": progress or {"phase": "not_processing", "processed": 0, "total": 0, "percent": 0}}
        if msg:
            outcome["msg"] = msg
        return outcome


def _human(seconds):
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return "%d%s" % (seconds // size, unit)
    return "%gs" % seconds
