"""A scripted WSUS for SyncRun unit tests: fake time, no sockets, no real sleeping.

``FakeClock`` is both SyncRun's clock and its sleep (sleeping advances the time and is recorded).
``FakeWsus`` answers the five operations SyncRun uses from that time, like the emulator does: a
run is "requested" (state 3, no phase) for its first ``requested_s`` seconds, then works through
its phases (state 2), and ends at ``start + duration`` with a 384/385/386 event.
"""

from __future__ import annotations

import datetime

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import SyncProgress

EPOCH = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


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
    def __init__(self, clock, duration=5.0, phases=(("categories", 360), ("updates", 3400)), requested_s=0.5,
                 result="succeeded", error_text=None):
        self.clock = clock
        self.duration = duration
        self.phases = phases
        self.requested_s = requested_s
        self.result = result
        self.error_text = error_text
        self.run = None          # {"start": t, "category_only": bool}
        self.events = []         # oldest first, as WsusClient.get_sync_events returns them
        self.calls = []
        self.failures = {}       # operation -> its next calls' exceptions (None: answer normally)

    # ------------------------------------------------------------------ scripting

    def fail(self, operation, *errors):
        self.failures.setdefault(operation, []).extend(errors)

    def start_run(self, at=None):
        """A run started by someone else (the schedule, another tool) at fake time ``at``."""
        self.run = {"start": self.clock.t if at is None else at, "category_only": False}
        self._event(382, self.run["start"])

    def add_past_sync(self, ended_s_ago, result="succeeded", duration=60.0, error_text=None):
        end = self.clock.t - ended_s_ago
        self._event(382, end - duration)
        self._event({"succeeded": 384, "canceled": 385, "failed": 386}[result], end,
                    [error_text] if error_text else [])

    def _event(self, event_id, at, strings=()):
        self.events.append({"EventId": event_id, "NamespaceId": 2,
                            "TimeAtServer": EPOCH + datetime.timedelta(seconds=at),
                            "ReplacementStrings": list(strings), "MessageTemplate": "event %d" % event_id})

    def _call(self, operation):
        self.calls.append(operation)
        pending = self.failures.get(operation)
        if pending:
            error = pending.pop(0)
            if error is not None:
                raise error

    def _advance(self):
        if self.run is not None and self.clock.t >= self.run["start"] + self.duration:
            end = self.run["start"] + self.duration
            self.run = None
            if self.result == "failed":
                self._event(386, end, [self.error_text or ""])
            else:
                self._event({"succeeded": 384, "canceled": 385}[self.result], end)

    # ------------------------------------------------------------------ the client's interface

    def get_subscription_state(self):
        self._call("GetSubscriptionState")
        self._advance()
        if self.run is None:
            return 0
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
        self._call("StartSubscriptionManuallyForCategoryOnly" if category_only else "StartSubscriptionManually")
        self._advance()
        if self.run is None:
            self.run = {"start": self.clock.t, "category_only": category_only}
            self._event(382, self.clock.t)

    def stop_sync(self):
        self._call("StopSubscription")
        self._advance()
        if self.run is not None:
            self.run = None
            self._event(385, self.clock.t)

    def get_sync_events(self, since=None, until=None):
        self._call("ExecuteSPSearchEventHistory")
        self._advance()
        return list(self.events)


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
                self._event(384, self.clock.t)
            return SyncProgress("not_processing", 0, 0)
        return SyncProgress(*self.script.pop(0))

    def get_subscription_state(self):
        self._call("GetSubscriptionState")
        return 0 if self.run is None else 2
