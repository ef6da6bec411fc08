# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Synchronize now, idempotently: start (or join, or skip) a synchronization, wait for it, and
report its result. No Ansible imports; the ``sync`` action plugin and module both take their options from
``SYNC_ARGSPEC`` and call ``run_sync``.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

import datetime
import re
import time

from ._state.errors import DocumentError
from ._sync_status import (
    NO_REASON_HINT,
    end_result,
    is_start,
    progress_dict,
    read_sync_status,
    reason_of,
    summarize_events,
)
from ._wsusar.errors import WsusConnectionError, WsusError, WsusHTTPError, WsusSoapFault, WsusTimeoutError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
FIRST_POLL_S = 2.0
POLL_GROWTH = 1.5
# Consecutive failed polls tolerated while waiting (each already retried by the transport).
TRANSIENT_POLL_FAILURES = 10
# A start refused while the server reads idle (it is saving its configuration): retried after 1, 2, 4 ...
# seconds (at most poll_interval apart), until wait_timeout.
START_RETRY_FIRST_S = 1.0
START_RETRY_GROWTH = 2.0
# After StopSubscription the run passes through "stopping": the state is read again after 0.5, 1, 2 ... s.
STOP_POLL_FIRST_S = 0.5
# cancel_on_timeout: how long past wait_timeout the task waits for the canceled run to stop.
STOP_GRACE_S = 60.0
# The state reads idle but the newest start has no end event yet: read the events again after these pauses.
END_EVENT_PAUSES = (1.0, 2.0, 4.0)
JOINED_RACE = "joined a synchronization that started on the server between this task's state read and its start request"


class SyncError(WsusError):
    """The synchronization failed, was canceled, or did not end in time. ``result`` is the task's result so
    far (changed, started, result, sync, progress): the failure reports it (``failure_from_error``)."""

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
        raise DocumentError("%s must be a duration such as 90s, 30m, 2h, 7d or 1h30m, got %r" % (name, value))
    return float(sum(float(number) * _UNITS[unit] for number, unit in parts))


# The options of ops.wsus.sync besides the connection options; its DOCUMENTATION describes them.
SYNC_ARGSPEC = dict(
    state=dict(type="str", default="completed", choices=["completed", "started", "stopped"]),
    mode=dict(type="str", default="full", choices=["full", "categories_only"]),
    max_age=dict(type="str"),
    wait_timeout=dict(type="str", default="2h"),
    poll_interval=dict(type="int", default=15),
    cancel_on_timeout=dict(type="bool", default=False),
    fail_on_error=dict(type="bool", default=True),
)


def run_sync(client, params, check_mode, report=None, label=None):
    """The task's work, for the module and the action plugin alike: ``params`` are the validated options
    (``SYNC_ARGSPEC`` and the connection options). Returns the result, or raises SyncError (with the
    result so far), another WsusError, or DocumentError (a bad duration, before any request)."""
    run = SyncRun(client, label or params["server"], check_mode=check_mode, report=report)
    max_age = parse_duration(params["max_age"], "max_age") if params.get("max_age") else None
    return run.run(
        state=params["state"],
        mode=params["mode"],
        max_age=max_age,
        wait_timeout=parse_duration(params["wait_timeout"], "wait_timeout"),
        poll_interval=max(1, params["poll_interval"]),
        cancel_on_timeout=params["cancel_on_timeout"],
        fail_on_error=params["fail_on_error"],
    )


class SyncRun:
    """One task's work on one server. ``report(line)`` receives the progress lines for people."""

    def __init__(self, client, label, check_mode=False, report=None, clock=time.monotonic, sleep=time.sleep, now=None):
        self.client = client
        self.label = label
        self.check_mode = check_mode
        self.report = report or (lambda line: None)
        self.clock = clock
        self.sleep = sleep
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._last_line = None

    def run(
        self,
        state="completed",
        mode="full",
        max_age=None,
        wait_timeout=7200.0,
        poll_interval=15.0,
        cancel_on_timeout=False,
        fail_on_error=True,
    ):
        self._deadline = self.clock() + wait_timeout
        self._joined = None
        running = self.client.get_subscription_state() != 0
        if state == "stopped":
            return self._stop(running, poll_interval)
        if not running and max_age is not None:
            fresh = self._fresh_success(max_age)
            if fresh is not None:
                return fresh
        started = False
        if not running:
            started = True
            if self.check_mode:
                return self._outcome(
                    changed=True,
                    started=True,
                    result="unknown",
                    sync=None,
                    progress=None,
                    msg="a synchronization would be started",
                )
            started = self._start(mode == "categories_only", poll_interval)
            if started:
                self.report("%s: synchronization started" % self.label)
        elif state == "started" or self.check_mode:
            self.report("%s: a synchronization is already running" % self.label)
        else:
            self.report("%s: a synchronization is already running; waiting for it" % self.label)
        if state == "started" or self.check_mode:
            status = read_sync_status(self.client)
            return self._outcome(
                changed=started,
                started=started,
                result=status["result"],
                sync=status["sync"],
                progress=status["progress"],
                msg=self._joined,
            )
        return self._wait(started, wait_timeout, poll_interval, cancel_on_timeout, fail_on_error)

    # ------------------------------------------------------------------ states

    def _start(self, category_only, poll_interval):
        """Start a synchronization: True when this task started it, False when it joined one.

        WSUS refuses a start (InvalidOperationException, a SOAP fault) while a synchronization runs or stops,
        and while it saves its configuration. After a refusal the state is read again: busy means a run began
        between our state read and our start (the schedule, another administrator), and that run is joined,
        never doubled; idle means a save is in progress, and the start is retried with backoff until
        wait_timeout."""
        pause, refusals = START_RETRY_FIRST_S, 0
        while True:
            try:
                self.client.start_sync(category_only=category_only)
                return True
            except WsusSoapFault as fault:
                if fault.short_type != "InvalidOperationException":
                    raise
                refused = fault.exception_message or str(fault)
            if self.client.get_subscription_state() != 0:
                self._joined = JOINED_RACE
                self.report(
                    "%s: a synchronization started on the server between the state read and the start "
                    "request; joining it" % self.label
                )
                return False
            refusals += 1
            left = self._deadline - self.clock()
            if left <= 0:
                raise SyncError(
                    "WSUS refused to start a synchronization %d time(s) although none was running (last: %s). It "
                    "refuses while it saves its configuration, which takes seconds, so something else holds it: "
                    "look at the Synchronizations node of the WSUS console and at the WSUS service, then run the "
                    "task again" % (refusals, refused),
                    self._outcome(changed=False, started=False, result="not_started", sync=None, progress=None),
                )
            wait = min(pause, left)
            self.report(
                "%s: WSUS refused to start a synchronization while none runs (%s); it is probably saving "
                "its configuration: retrying in %gs" % (self.label, refused, wait)
            )
            self.sleep(wait)
            pause = min(pause * START_RETRY_GROWTH, max(float(poll_interval), START_RETRY_FIRST_S))

    def _stop(self, running, poll_interval):
        if running and not self.check_mode:
            self.client.stop_sync()
            if not self._wait_stopped(poll_interval, self._deadline):
                raise SyncError(
                    "the synchronization was asked to stop, but it was still stopping after the "
                    "wait_timeout: raise wait_timeout, or %s" % NO_REASON_HINT,
                    self._outcome(changed=True, started=False, result="stopping", sync=None, progress=None),
                )
            self.report("%s: synchronization canceled" % self.label)
        return self._outcome(
            changed=running, started=False, result="canceled" if running else "not_running", sync=None, progress=None
        )

    def _wait_stopped(self, poll_interval, deadline):
        """WSUS stops asynchronously (running -> stopping -> idle): wait until the state reads idle, so that
        what follows the task (a configuration change, a new start) is not refused. False at ``deadline``."""
        pause, failures, said = STOP_POLL_FIRST_S, 0, False
        while True:
            try:
                busy = self.client.get_subscription_state() != 0
                failures = 0
            except (WsusConnectionError, WsusHTTPError, WsusTimeoutError) as exc:
                failures += 1
                if failures > TRANSIENT_POLL_FAILURES:
                    raise SyncError(
                        "the synchronization was asked to stop, but %d status requests in a row failed "
                        "(last: %s); it may still be stopping" % (failures, exc),
                        self._outcome(changed=True, started=False, result="stopping", sync=None, progress=None),
                    ) from None
                busy = True
            if not busy:
                return True
            left = deadline - self.clock()
            if left <= 0:
                return False
            if not said:
                self.report("%s: synchronization stopping" % self.label)
                said = True
            self.sleep(min(pause, left))
            pause = min(pause * 2, float(poll_interval))

    def _fresh_success(self, max_age):
        # "the last successful synchronization": a later failure or cancel does not make it stale.
        events = self.client.get_sync_events()
        successes = [
            index for index, event in enumerate(events) if not is_start(event) and end_result(event) == "succeeded"
        ]
        if not successes:
            return None
        result, sync = summarize_events(events[: successes[-1] + 1], running=False)
        if result != "succeeded" or not sync["finished_at"]:
            return None
        finished = datetime.datetime.fromisoformat(sync["finished_at"].replace("Z", "+00:00"))
        age = (self.now() - finished).total_seconds()
        if age >= max_age:
            return None
        return self._outcome(
            changed=False,
            started=False,
            result=result,
            sync=sync,
            progress=None,
            msg="the last synchronization succeeded %d s ago (max_age %d s)" % (age, max_age),
        )

    def _wait(self, started, wait_timeout, poll_interval, cancel_on_timeout, fail_on_error):
        deadline = self._deadline  # one wait_timeout for the start (its retries) and the wait
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
                return self._timed_out(started, seen or progress, wait_timeout, cancel_on_timeout, poll_interval)
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
            self.report(
                "%s: synchronizing %s %d/%d (%d %%)"
                % (self.label, shown["phase"], shown["processed"], shown["total"], shown["percent"])
            )

    def _timed_out(self, started, progress, wait_timeout, cancel_on_timeout, poll_interval):
        shown = progress_dict(progress) if progress else None
        stopped = False
        if cancel_on_timeout:
            self.client.stop_sync()
            stopped = self._wait_stopped(poll_interval, self.clock() + STOP_GRACE_S)
        if not cancel_on_timeout:
            left = "left it running"
        elif stopped:
            left = "canceled it"
        else:
            left = "asked it to stop, but it was still stopping %gs later" % STOP_GRACE_S
        if not shown:
            reached = "unknown progress"
        elif shown["phase"] == "not_processing":
            reached = "no phase: the server had not begun working on it"
        else:
            reached = "%s %d/%d (%d %%)" % (shown["phase"], shown["processed"], shown["total"], shown["percent"])
        result = ("canceled" if stopped else "stopping") if cancel_on_timeout else "running"
        outcome = self._outcome(
            changed=started or cancel_on_timeout, started=started, result=result, sync=None, progress=shown
        )
        raise SyncError(
            "the synchronization did not finish within %s (reached %s); %s. Raise wait_timeout, or "
            "check the server's connection to its update source" % (_human(wait_timeout), reached, left),
            outcome,
        )

    def _lost(self, started, progress, failures, exc):
        shown = progress_dict(progress) if progress else None
        outcome = self._outcome(changed=started, started=started, result="unknown", sync=None, progress=shown)
        return SyncError(
            "%d status requests in a row failed (last: %s); the synchronization may still be running" % (failures, exc),
            outcome,
        )

    def _finished(self, started, fail_on_error, idle_progress, last_seen):
        # The last poll already read the state (idle) and the progress: only the events are new.
        status = read_sync_status(self.client, state=0, progress=idle_progress)
        for pause in END_EVENT_PAUSES:
            if status["result"] != "unknown" or status["sync"]["event_id"] is not None:
                break
            # idle, but the newest start has no end event yet: give the server a moment to write it
            self.sleep(pause)
            status = read_sync_status(self.client, state=0, progress=idle_progress)
        result, sync = status["result"], status["sync"]
        shown = progress_dict(last_seen) if last_seen else status["progress"]
        outcome = self._outcome(
            changed=started, started=started, result=result, sync=sync, progress=shown, msg=self._joined
        )
        self.report("%s: synchronization %s" % (self.label, result))
        if result in ("failed", "canceled", "unknown") and fail_on_error:
            raise SyncError(_failure_message(result, sync), outcome)
        return outcome

    @staticmethod
    def _outcome(changed, started, result, sync, progress, msg=None):
        outcome = {
            "changed": changed,
            "started": started,
            "result": result,
            "sync": sync
            or {
                "started_at": None,
                "finished_at": None,
                "duration_s": None,
                "manual": None,
                "error_text": None,
                "event_id": None,
            },
            "progress": progress or {"phase": "not_processing", "processed": 0, "total": 0, "percent": 0},
        }
        if msg:
            outcome["msg"] = msg
        return outcome


def _failure_message(result, sync):
    event = sync.get("event_id")
    if result == "failed":
        reason = reason_of(sync.get("error_text"))
        if reason:
            return "the synchronization failed: %s" % reason
        return (
            "the synchronization failed and the server gave no reason (event %s; some servers show no error "
            "details since the October 2025 security update): %s" % (event, NO_REASON_HINT)
        )
    if result == "canceled":
        return "the synchronization canceled: canceled on the server (event %s)" % event
    if event is not None:
        return "the synchronization ended with event %s, which ops.wsus does not know, so its result is unknown: %s" % (
            event,
            NO_REASON_HINT,
        )
    return (
        "the synchronization ended, but the server recorded no end event for it, so its result is unknown: "
        "%s" % NO_REASON_HINT
    )


def _human(seconds):
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return "%d%s" % (seconds // size, unit)
    return "%gs" % seconds
