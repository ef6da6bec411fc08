"""A scripted WSUS for SyncRun unit tests: fake time, no sockets, no real sleeping.

``FakeClock`` is both SyncRun's clock and its sleep (sleeping advances the time and is recorded).
``FakeWsus`` answers the five operations SyncRun uses from that time, like the emulator does: a
run is "requested" (state 3, no phase) for its first ``requested_s`` seconds, then works through
its phases (state 2), and ends at ``start + duration`` with a 384/385(or 387)/386 event, or any event id
given as ``result``. Like a real server it refuses a start (InvalidOperationException) while a run goes or
stops and while ``saving_until`` has not passed; StopSubscription leaves the run stopping for ``stop_s``.
"""

from __future__ import annotations

import datetime

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import SYNC_EVENTS, SyncProgress
from support.soap_faults import invalid_operation

EPOCH = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
FAILURE_HRESULT = -2146233079
TEMPLATES = {
    381: "Scheduled synchronization started.",
    382: "Synchronization started manually.",
    384: "Synchronization completed successfully.",
    385: "Synchronization was canceled.",
    386: "Synchronization failed. Reason: %1",
    387: "Synchronization was canceled.",
}


class FakeClock:
    def __init__(self):
        self.t = 0.0
        self.sleeps = []

    def __call__(self):
        return self.t

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.sleeps.append(round(seconds, 6))
        self.t += seconds

    def now(self):
        """Wall-clock time (aware UTC) at the fake time."""
        return EPOCH + datetime.timedelta(seconds=self.t)


class FakeWsus:
    def __init__(
        self,
        clock,
        duration=5.0,
        phases=(("categories", 360), ("updates", 3400)),
        requested_s=0.5,
        result="succeeded",
        error_text=None,
        cancel_event=385,
        stop_s=0.0,
        end_hresult=0,
        end_event_delay=0.0,
    ):
        self.clock = clock
        self.duration = duration
        self.phases = phases
        self.requested_s = requested_s
        self.result = result  # succeeded, failed, canceled, or the id of the end event to write
        self.error_text = error_text  # a failure's reason; "" or None: a failure without details
        self.cancel_event = cancel_event
        self.stop_s = stop_s
        self.end_hresult = end_hresult  # Win32HResult of an end event given by id
        self.end_event_delay = end_event_delay  # the end event becomes visible this long after the run ends
        self.saving_until = -1.0
        self.start_after_state_read = False  # the next GetSubscriptionState read is followed by a scheduled run
        self.run = None  # {"start": t, "category_only": bool, "stop": t or None}
        self.events = []  # oldest first, as WsusClient.get_sync_events returns them
        self.calls = []
        self.failures = {}  # operation -> its next calls' exceptions (None: answer normally)

    # ------------------------------------------------------------------ scripting

    def fail(self, operation, *errors):
        self.failures.setdefault(operation, []).extend(errors)

    def start_run(self, at=None, scheduled=False):
        """A run started by someone else (the schedule, another tool) at fake time ``at``."""
        self.run = {"start": self.clock.t if at is None else at, "category_only": False, "stop": None}
        self._event(381 if scheduled else 382, self.run["start"])

    def add_past_sync(self, ended_s_ago, result="succeeded", duration=60.0, error_text=None):
        end = self.clock.t - ended_s_ago
        self._event(382, end - duration)
        self._end_event(result, end, error_text)

    def _end_event(self, result, at, error_text=None):
        if result == "failed":
            if error_text:
                self._event(386, at, [error_text], hresult=FAILURE_HRESULT)
            else:  # no error details (servers after the October 2025 security update)
                self._event(386, at, [], template="")
        elif result in ("succeeded", "canceled"):
            self._event({"succeeded": 384, "canceled": self.cancel_event}[result], at)
        else:
            self._event(result, at, hresult=self.end_hresult, template="Synchronization ended (event %d)." % result)

    def _event(self, event_id, at, strings=(), template=None, hresult=0):
        self.events.append(
            {
                "EventId": event_id,
                "NamespaceId": 2,
                "TimeAtServer": EPOCH + datetime.timedelta(seconds=at),
                "ReplacementStrings": list(strings),
                "Win32HResult": hresult,
                "SeverityId": 1,
                "MessageTemplate": TEMPLATES.get(event_id, "") if template is None else template,
                "_visible_at": at + (self.end_event_delay if event_id not in (381, 382) else 0.0),
            }
        )

    def _call(self, operation):
        self.calls.append(operation)
        pending = self.failures.get(operation)
        if pending:
            error = pending.pop(0)
            if error is not None:
                raise error

    def _advance(self):
        if self.run is None:
            return
        if self.run.get("stop") is not None:
            end = self.run["stop"] + self.stop_s
            if self.clock.t >= end:
                self.run = None
                self._end_event("canceled", end)
        elif self.clock.t >= self.run["start"] + self.duration:
            end = self.run["start"] + self.duration
            self.run = None
            self._end_event(self.result, end, self.error_text)

    # ------------------------------------------------------------------ the client's interface

    def get_subscription_state(self):
        self._call("GetSubscriptionState")
        self._advance()
        if self.run is None:
            if self.start_after_state_read:  # answered idle; the schedule starts a run right after
                self.start_after_state_read = False
                self.start_run(scheduled=True)
            return 0
        if self.run.get("stop") is not None:
            return 2  # stopping
        return 3 if self.clock.t - self.run["start"] < self.requested_s else 2

    def get_sync_progress(self):
        self._call("GetServerSyncProgress")
        self._advance()
        if self.run is None:
            return SyncProgress("not_processing", 0, 0)
        elapsed = self.clock.t - self.run["start"]
        if elapsed < self.requested_s:
            return SyncProgress("not_processing", 0, 0)
        phases = self.phases[:1] if self.run["category_only"] else self.phases
        share = (self.duration - self.requested_s) / len(phases)
        position = elapsed - self.requested_s
        number = min(len(phases) - 1, int(position // share))
        phase, total = phases[number]
        processed = min(total, int(total * (position - number * share) / share))
        return SyncProgress(phase, total, processed)

    def start_sync(self, category_only=False):
        operation = "StartSubscriptionManuallyForCategoryOnly" if category_only else "StartSubscriptionManually"
        self._call(operation)
        self._advance()
        if self.run is not None:
            raise invalid_operation(
                operation,
                "the synchronization cannot be started because of its current "
                "state (%s)." % ("Stopping" if self.run.get("stop") is not None else "Running"),
            )
        if self.clock.t < self.saving_until:
            raise invalid_operation(
                operation,
                "the synchronization cannot be started because WSUS is currently saving server configuration changes.",
            )
        self.run = {"start": self.clock.t, "category_only": category_only, "stop": None}
        self._event(382, self.clock.t)

    def stop_sync(self):
        self._call("StopSubscription")
        self._advance()
        if self.run is not None and self.run.get("stop") is None:
            self.run["stop"] = self.clock.t
            self._advance()

    def get_sync_events(self, since=None, until=None, any_id=False):
        self._call("ExecuteSPSearchEventHistory")
        self._advance()
        low = EPOCH + datetime.timedelta(seconds=-1e9) if since is None else since
        return [
            dict((key, value) for key, value in event.items() if not key.startswith("_"))
            for event in self.events
            if event["_visible_at"] <= self.clock.t
            and event["TimeAtServer"] >= low
            and (any_id or event["EventId"] in SYNC_EVENTS)
        ]


class ScriptedProgress(FakeWsus):
    """Answers GetServerSyncProgress from a list of (phase, total, processed), one per poll; the run
    ends when the list is used up."""

    def __init__(self, clock, script):
        super().__init__(clock, duration=1e9, requested_s=0.0)
        self.script = list(script)

    def get_sync_progress(self):
        self._call("GetServerSyncProgress")
        if not self.script:
            if self.run is not None:
                self.run = None
                self._end_event("succeeded", self.clock.t)
            return SyncProgress("not_processing", 0, 0)
        return SyncProgress(*self.script.pop(0))

    def get_subscription_state(self):
        self._call("GetSubscriptionState")
        return 0 if self.run is None else 2
