"""The state of one emulated WSUS server: configuration, languages, subscription, synchronization, events.

All methods are called with the state's lock held by the caller (``with state.lock:``).  Times are kept as
naive UTC datetimes (truncated to milliseconds, like SQL Server datetimes) or, for sync runs, epoch seconds.
The state is persisted as JSON (atomically) after every change when a path is given.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import math
import os
import tempfile
import threading
import time
import uuid
from typing import Callable, Dict, List, Optional, Tuple

from . import faults, mail, sync
from .catalog import Catalog
from .schema import Schema
from .soap import AnyValue, MIN_DATETIME, format_datetime, parse_datetime

FORMAT = 1
DEFAULT_CLASSIFICATIONS = [
    "e6cf1350-c01b-414d-a61f-263d14d133b4",  # Critical Updates
    "0fa1201d-4330-4fa8-8ae9-b877473b6441",  # Security Updates
]
DEFAULT_LANGUAGES = ["en"]
SERVER_OWNED_CONFIG = ("configurationChangeNumber", "LastConfigChange", "ServerId")
# The SubscriptionTableRow fields SetSubscription stores (the rest is the server's), with their Python type.
SUBSCRIPTION_SETTABLE = {
    "synchronizeAutomaticallyTimeOfDay": int,
    "SynchronizeAutomatically": bool,
    "NumberOfSynchronizationsPerDay": int,
    "IsCategoryOnly": bool,
}
REQUEST_FLAGS = ("detectConfigChange", "DetectConfigChange")
# sync_seconds: run length; stop_seconds: how long StopSubscription leaves a run "stopping"; save_seconds: how
# long after ExecuteSPSetConfiguration a start is refused ("saving server configuration changes");
# cancel_event: the event id a canceled run writes (385 or 387).
DEFAULT_SYNC_SETTINGS = {
    "sync_seconds": 5.0,
    "stop_seconds": 0.5,
    "save_seconds": 0.0,
    "cancel_event": sync.EVENT_CANCELED,
    # True: the server's scheduler has stopped (a hung WSUS service, a broken timer): the configured
    # automatic synchronizations do not start; GetSubscriptionNextSynchronizationTime still answers.
    "scheduler_stopped": False,
    # How many new updates a successful (not category-only) run brings; >= 1 sends the new-updates e-mail
    # (mail.py) when that notification is on. 0: runs bring none, as before.
    "new_updates_per_sync": 0,
}
# How far back the scheduler catches up on a clock jump (a long jump starts at most this many runs).
MAX_SCHEDULED_CATCH_UP = 2000
SCHEDULE_USER = "NT AUTHORITY\\SYSTEM"
INTEGER_TYPES = ("int", "long", "short", "unsignedByte", "unsignedInt")
# ExecuteSPGetAllLanguagesWithEnabledState row layouts (--language-rows): "live" [ShortLanguage, Enabled,
# UssEnabled], as two clients tested on real servers read them, and "spec" [LanguageID, ShortLanguage,
# LongLanguage, Enabled], our reading of [MS-WSUSAR]. The language lists of ExecuteSPSetConfiguration hold
# what the layout identifies a language by: short codes (xsd:string) or LanguageIDs (xsd:int).
LANGUAGE_ROW_LAYOUTS = ("live", "spec")


def utc_from_epoch(epoch: float) -> _dt.datetime:
    value = _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def epoch_from_utc(value: _dt.datetime) -> float:
    return value.replace(tzinfo=_dt.timezone.utc).timestamp()


def _encode(type_: str, value):
    if value is None:
        return None
    if type_ == "dateTime":
        return format_datetime(value)
    if type_ == "base64Binary":
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(type_: str, value):
    if value is None:
        return None
    if type_ == "dateTime":
        return parse_datetime(value)
    if type_ == "base64Binary":
        return base64.b64decode(value)
    return value


def write_json_atomically(path: str, data, prefix: str) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: a crash never leaves half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".json", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ServerState:
    def __init__(
        self,
        catalog: Catalog,
        schema: Schema,
        sync_seconds: float = 5.0,
        path: Optional[str] = None,
        clock=time.time,
        language_rows: str = "live",
    ):
        if language_rows not in LANGUAGE_ROW_LAYOUTS:
            raise ValueError("language rows must be one of %s" % ", ".join(LANGUAGE_ROW_LAYOUTS))
        self.catalog = catalog
        self.schema = schema
        self.language_rows = language_rows
        self.sync_seconds = float(sync_seconds)
        self.path = path
        self.clock = clock
        # The simulated clock: seconds added to ``clock`` (control API /_emulator/clock); a reset sets it to 0.
        self.clock_offset = 0.0
        self.lock = threading.RLock()
        # Not persisted: results forced on the next synchronization runs (control API next_sync_result).
        self.pending_results: List[Dict] = []
        # Called with the end time (epoch seconds) when a run ends successfully: hierarchy.py registers the
        # server at its upstream then, as a real downstream reports to its upstream when it synchronizes.
        self.on_sync_success: Optional[Callable[[float], None]] = None
        # The server's name in the subjects of its e-mails: set by server.py to its name in the hierarchy.
        self.server_name: Callable[[], str]
        # Synchronization settings (CLI options, control API /_emulator/settings); a reset restores these.
        self.initial_sync_settings = dict(DEFAULT_SYNC_SETTINGS, sync_seconds=self.sync_seconds)
        self.factory_reset()
        if path and os.path.isfile(path):
            self.load(path)

    # ------------------------------------------------------------------------------------ factory state
    def factory_reset(self) -> None:
        self.clock_offset = 0.0
        now = self.now()
        # The scheduler has looked for automatic synchronizations up to this instant (epoch seconds).
        self.schedule_checked_until = now
        # Update content queued for download (control API /_emulator/content): it drains at bytes_per_second
        # of simulated time from "since"; failed updates and components in error are as set.
        self.content = {"downloaded_bytes": 0, "pending_bytes": 0, "bytes_per_second": 0.0, "since": now}
        self.failed_downloads = 0
        self.component_errors: List[str] = []
        created = utc_from_epoch(now)
        self.created = created
        # A reset keeps the ServerId: the same machine, so the downstream rows that name it stay right.
        previous = getattr(self, "config", {})
        self.config: Dict[str, object] = {}
        for field in self.schema.config_fields:
            self.config[field.name] = self._default(field.name, field.type, field.default, created)
        if "ServerId" in previous:
            self.config["ServerId"] = previous["ServerId"]
        self.enabled_languages = []
        for short in DEFAULT_LANGUAGES:
            language = self.catalog.language_by_short(short)
            if language is not None:
                self.enabled_languages.append(language.id)
        self.uss_enabled_languages: List[int] = []
        self.program_keys: List[Dict] = []
        self.proxy_password_sha256: Optional[str] = None
        self.subscription = {
            "synchronizeAutomaticallyTimeOfDay": 0,
            "LastModifiedBy": "NT AUTHORITY\\SYSTEM",
            "LastModifiedTime": created,
            "LastSynchronizationTime": MIN_DATETIME,
            "SynchronizeAutomatically": False,
            "Anchor": None,
            "DeploymentAnchor": None,
            "NumberOfSynchronizationsPerDay": 1,
            "IsCategoryOnly": False,
        }
        self.categories: List[str] = []
        self.classifications = list(DEFAULT_CLASSIFICATIONS)
        self.current_run: Optional[Dict] = None
        self.last_run: Optional[Dict] = None
        self.runs = 0
        self.events: List[Dict] = []
        self.event_sequence = 0
        self.pending_results = []
        self.email = mail.EmailState()  # e-mail notification settings, SMTP password, mail log
        self.updates_synchronized = 0  # new updates brought by runs (new_updates_per_sync), all told
        self.apply_sync_settings(self.initial_sync_settings)
        self.saving_until = 0.0  # epoch seconds: a configuration save "in progress" until then

    @staticmethod
    def _default(name: str, type_: str, default, created: _dt.datetime):
        if default == "auto":
            if type_ == "guid":
                return str(uuid.uuid4())
            if type_ == "base64Binary":
                return os.urandom(32)
            if type_ == "dateTime":
                return created
            raise ValueError("configuration.json: 'auto' is not supported for %s (%s)" % (name, type_))
        if type_ == "dateTime":
            return parse_datetime(default) if default else MIN_DATETIME
        if type_ == "base64Binary":
            return base64.b64decode(default) if default else b""
        return default

    # ------------------------------------------------------------------------------------ persistence
    def dump(self) -> Dict:
        types = {field.name: field.type for field in self.schema.config_fields}
        return {
            "format": FORMAT,
            "profile": self.schema.profile,
            "created": format_datetime(self.created),
            "configuration": {name: _encode(types[name], value) for name, value in self.config.items()},
            "enabled_languages": list(self.enabled_languages),
            "uss_enabled_languages": list(self.uss_enabled_languages),
            "program_keys": list(self.program_keys),
            "proxy_password_sha256": self.proxy_password_sha256,
            "subscription": {
                name: (format_datetime(value) if isinstance(value, _dt.datetime) else value)
                for name, value in self.subscription.items()
            },
            "categories": list(self.categories),
            "classifications": list(self.classifications),
            "current_run": self.current_run,
            "last_run": self.last_run,
            "runs": self.runs,
            "events": self.events,
            "event_sequence": self.event_sequence,
            "email": self.email.dump(),
            "updates_synchronized": self.updates_synchronized,
        }

    def load(self, path: str) -> None:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != FORMAT:
            raise ValueError("%s: unsupported state format %r" % (path, data.get("format")))
        self.created = parse_datetime(data["created"])
        stored = data.get("configuration", {})
        for field in self.schema.config_fields:  # a field of another profile keeps its factory default
            if field.name in stored:
                self.config[field.name] = _decode(field.type, stored[field.name])
        self.enabled_languages = [int(x) for x in data.get("enabled_languages", [])]
        self.uss_enabled_languages = [int(x) for x in data.get("uss_enabled_languages", [])]
        self.program_keys = list(data.get("program_keys", []))
        self.proxy_password_sha256 = data.get("proxy_password_sha256")
        for name, value in data.get("subscription", {}).items():
            if name in ("LastModifiedTime", "LastSynchronizationTime"):
                value = parse_datetime(value)
            self.subscription[name] = value
        self.categories = list(data.get("categories", []))
        self.classifications = list(data.get("classifications", []))
        self.current_run = data.get("current_run")
        self.last_run = data.get("last_run")
        self.runs = int(data.get("runs", 0))
        self.events = list(data.get("events", []))
        self.event_sequence = int(data.get("event_sequence", len(self.events)))
        self.email.load(data.get("email"))
        self.updates_synchronized = int(data.get("updates_synchronized", 0))

    def save(self) -> None:
        if self.path:
            write_json_atomically(self.path, self.dump(), ".state-")

    # ------------------------------------------------------------------------------------ time & sync
    def now(self) -> float:
        return self.clock() + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the simulated clock forward; runs end and scheduled runs start as the time passes."""
        if seconds < 0:
            raise ValueError("advance_seconds must be >= 0 (the clock does not go back)")
        self.advance()
        self.clock_offset += float(seconds)
        self.advance()

    def clock_view(self) -> Dict:
        return {"now": format_datetime(utc_from_epoch(self.now())), "offset_seconds": self.clock_offset}

    def advance(self) -> None:
        """Finish a run whose end time has passed and start the automatic synchronizations whose time has
        come, in time order (called before every read or write)."""
        now = self.now()
        for due in self._scheduled_starts(self.schedule_checked_until, now):
            self._finish_due(due)
            self.start_sync(False, SCHEDULE_USER, manual=False, at=due)
        self.schedule_checked_until = max(self.schedule_checked_until, now)
        self._finish_due(now)

    def _finish_due(self, now: float) -> None:
        run = self.current_run
        if run is not None and now >= sync.end_time(run):
            result = "canceled" if sync.stopping(run) else run["result"]
            self._finish(run, sync.end_time(run), result, run.get("error_text"))
            self.save()

    def _scheduled_starts(self, after: float, until: float) -> List[float]:
        """The configured automatic synchronization times in (after, until], epoch seconds (none when the
        subscription does not synchronize automatically or the scheduler is stopped). WSUS adds a random
        offset of up to 30 minutes; the emulator starts on the configured second (deterministic)."""
        if until <= after or not self.subscription.get("SynchronizeAutomatically") or self.scheduler_stopped:
            return []
        per_day = max(1, int(self.subscription["NumberOfSynchronizationsPerDay"]))
        first = int(self.subscription["synchronizeAutomaticallyTimeOfDay"]) % 86400
        offsets = sorted((first + k * 86400 // per_day) % 86400 for k in range(per_day))
        day = math.floor(after / 86400.0) * 86400.0
        found: List[float] = []
        while day <= until and len(found) < MAX_SCHEDULED_CATCH_UP:
            found.extend(day + offset for offset in offsets if after < day + offset <= until)
            day += 86400.0
        return found[-MAX_SCHEDULED_CATCH_UP:]

    @property
    def running(self) -> bool:
        self.advance()
        return self.current_run is not None

    def subscription_state(self) -> int:
        self.advance()
        if self.current_run is None:
            return sync.STATE_IDLE
        return sync.progress(self.current_run, self.now())[0]

    def sync_progress(self):
        """(phase, total, processed)"""
        self.advance()
        if self.current_run is None:
            return sync.PHASE_NONE, 0, 0
        return sync.progress(self.current_run, self.now())[1:]

    # ------------------------------------------------------------------------------------ content
    def download_progress(self) -> Tuple[int, int]:
        """(bytes downloaded, bytes still to download) now: the backlog drains with the clock."""
        content = self.content
        drained = int(
            min(content["pending_bytes"], content["bytes_per_second"] * max(0.0, self.now() - content["since"]))
        )
        return content["downloaded_bytes"] + drained, content["pending_bytes"] - drained

    def content_view(self) -> Dict:
        downloaded, pending = self.download_progress()
        return {
            "downloaded_bytes": downloaded,
            "pending_bytes": pending,
            "bytes_per_second": self.content["bytes_per_second"],
            "failed_updates": self.failed_downloads,
            "components_with_errors": list(self.component_errors),
        }

    def set_content(self, changes: Dict) -> None:
        """Control API: queue bytes, set the drain rate, failed updates, components in error. ValueError names
        the first bad key (nothing is changed then)."""
        known = ("pending_bytes", "bytes_per_second", "failed_updates", "components_with_errors")
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError("unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(known)))
        for name in ("pending_bytes", "bytes_per_second", "failed_updates"):
            value = changes.get(name, 0)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError("%s must be a number >= 0" % name)
        errors = changes.get("components_with_errors", [])
        if not isinstance(errors, list) or not all(isinstance(item, str) and item for item in errors):
            raise ValueError("components_with_errors must be a list of component names")
        downloaded, pending = self.download_progress()
        if "pending_bytes" in changes:
            pending = int(changes["pending_bytes"])
        self.content = {
            "downloaded_bytes": downloaded,
            "pending_bytes": pending,
            "bytes_per_second": float(changes.get("bytes_per_second", self.content["bytes_per_second"])),
            "since": self.now(),
        }
        if "failed_updates" in changes:
            self.failed_downloads = int(changes["failed_updates"])
        if "components_with_errors" in changes:
            self.component_errors = list(errors)

    # ------------------------------------------------------------------------------------ sync settings
    def sync_settings(self) -> Dict:
        return {
            "sync_seconds": self.sync_seconds,
            "stop_seconds": self.stop_seconds,
            "save_seconds": self.save_seconds,
            "cancel_event": self.cancel_event,
            "scheduler_stopped": self.scheduler_stopped,
            "new_updates_per_sync": self.new_updates_per_sync,
        }

    @staticmethod
    def check_sync_settings(settings: Dict) -> Dict:
        """The settings, validated and typed; ValueError names the first bad one."""
        unknown = sorted(set(settings) - set(DEFAULT_SYNC_SETTINGS))
        if unknown:
            known = ", ".join(sorted(DEFAULT_SYNC_SETTINGS))
            raise ValueError("unknown setting(s) %s (known: %s)" % (", ".join(unknown), known))
        checked = {}
        for name, value in settings.items():
            if name == "cancel_event":
                if value not in sync.CANCEL_EVENTS or isinstance(value, bool):
                    raise ValueError("cancel_event must be one of %s" % ", ".join(map(str, sync.CANCEL_EVENTS)))
                checked[name] = int(value)
                continue
            if name == "new_updates_per_sync":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError("new_updates_per_sync must be an integer >= 0")
                checked[name] = value
                continue
            if name == "scheduler_stopped":
                if not isinstance(value, bool):
                    raise ValueError("scheduler_stopped must be true or false")
                checked[name] = value
                continue
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or value < 0
                or (name == "sync_seconds" and value <= 0)
            ):
                bound = "> 0" if name == "sync_seconds" else ">= 0"
                raise ValueError("%s must be a number of seconds %s" % (name, bound))
            checked[name] = float(value)
        return checked

    def apply_sync_settings(self, settings: Dict) -> None:
        for name, value in self.check_sync_settings(settings).items():
            setattr(self, name, value)

    def set_initial_sync_settings(self, settings: Dict) -> None:
        """The settings given at start (CLI): applied now and restored by every reset."""
        self.initial_sync_settings.update(self.check_sync_settings(settings))
        self.apply_sync_settings(self.initial_sync_settings)

    def configuration_saved(self) -> None:
        """After ExecuteSPSetConfiguration: the server "saves its configuration" for save_seconds, and a start
        in that window is refused (.NET StartSynchronization: ProcessingSave)."""
        if self.save_seconds > 0:
            self.saving_until = self.now() + self.save_seconds

    @property
    def saving(self) -> bool:
        return self.now() < self.saving_until

    # ------------------------------------------------------------------------------------ sync runs
    def start_sync(
        self,
        category_only: bool,
        user: str,
        manual: bool = True,
        operation: str = "StartSubscriptionManually",
        at: Optional[float] = None,
    ) -> None:
        """Start a run. A manual start is refused with InvalidOperationException while a run is going or
        stopping, or while a configuration save is in progress (.NET ISubscription.StartSynchronization
        throws it in both cases; over the wire it is a SOAP fault). ``at``: when the scheduler starts a run
        that was due earlier (the clock jumped past it)."""
        if at is None:
            self.advance()
        if self.current_run is not None:
            if not manual:
                return  # the schedule does not start a second run
            state = "Stopping" if sync.stopping(self.current_run) else "Running"
            raise faults.ApplicationError(
                faults.INVALID_OPERATION,
                "%s: the synchronization cannot be started because of its current state (%s)." % (operation, state),
            )
        if manual and self.saving:
            raise faults.ApplicationError(
                faults.INVALID_OPERATION,
                "%s: the synchronization cannot be started because WSUS is currently "
                "saving server configuration changes." % operation,
            )
        now = self.now() if at is None else at
        result, error_text = "succeeded", None
        if self.pending_results:
            pending = self.pending_results[0]
            result, error_text = pending["result"], pending.get("error_text")
            pending["count"] -= 1
            if pending["count"] <= 0:
                self.pending_results.pop(0)
        if result == "failed" and error_text is None:  # "" stays empty: a failure without details
            error_text = (
                "The remote name could not be resolved: 'sws.update.microsoft.com' (a failure injected "
                "through the WSUS emulator control API)."
            )
        replica = bool(self.config.get("ReplicaMode"))
        products = len(self.catalog.effective_products(self.categories))
        phases = sync.plan_phases(
            category_only,
            replica,
            category_total=len(self.catalog.categories) + len(self.catalog.classifications),
            update_total=25 * max(1, products) * max(1, len(self.classifications)),
            approval_total=10 * max(1, products),
        )
        self.runs += 1
        self.current_run = {
            "id": str(uuid.uuid4()),
            "number": self.runs,
            "category_only": bool(category_only),
            "manual": manual,
            "started_by": user,
            "start": now,
            "duration": self.sync_seconds,
            "replica": replica,
            "phases": phases,
            "result": result,
            "error_text": error_text,
        }
        if manual:
            self.add_event(sync.EVENT_MANUAL_START, now, "Synchronization started manually by %s." % user, [])
        else:
            self.add_event(sync.EVENT_SCHEDULED_START, now, "Scheduled synchronization started.", [])
        self.save()

    def start_scheduled_sync(self) -> None:
        """A run started by the schedule (event 381); nothing happens while one is going."""
        self.start_sync(False, SCHEDULE_USER, manual=False)

    def stop_sync(self) -> bool:
        """Ask a run to stop: it is "stopping" for stop_seconds, then ends canceled. A no-op when idle or when
        it is already stopping."""
        self.advance()
        run = self.current_run
        if run is None or sync.stopping(run):
            return False
        run["stop_requested"] = self.now()
        run["stop_seconds"] = self.stop_seconds
        self.advance()  # stop_seconds 0: it ends now
        self.save()
        return True

    def _finish(self, run: Dict, at: float, result: str, error_text: Optional[str]) -> None:
        end = utc_from_epoch(at)
        if result == "succeeded":
            self.subscription["LastSynchronizationTime"] = end
            self.subscription["Anchor"] = "emulator-anchor:%d:%s" % (run["number"], format_datetime(end))
            if run.get("replica"):
                self.subscription["DeploymentAnchor"] = "emulator-deployment-anchor:%d" % run["number"]
            self.add_event(sync.EVENT_SUCCEEDED, at, "Synchronization completed successfully.", [])
            if self.on_sync_success is not None:
                self.on_sync_success(at)
        elif result == "failed" and error_text:
            # Shaped like a real failure (SynchronizationCompletedFailure, UssCommunicationError).
            self.add_event(
                sync.EVENT_FAILED,
                at,
                "Synchronization failed. Reason: %1",
                [error_text],
                severity=3,
                hresult=sync.FAILURE_HRESULT,
            )
        elif result == "failed":
            # error_text "": servers after the October 2025 security update that show no error details.
            self.add_event(sync.EVENT_FAILED, at, "", [], severity=3, hresult=0)
        else:
            self.add_event(self.cancel_event, at, "Synchronization was canceled.", [], severity=2)
        finished = dict(run)
        finished.update({"end": at, "result": result, "error_text": error_text if result == "failed" else None})
        self.last_run = finished
        self.current_run = None
        if result == "succeeded" and not run.get("category_only"):
            self._new_updates(finished)

    def _new_updates(self, finished: Dict) -> None:
        """A successful full run brings new_updates_per_sync new updates; for one or more, the new-updates
        e-mail goes out (from a background thread: it never delays or fails the run)."""
        count = int(self.new_updates_per_sync)
        finished["new_updates"] = count
        self.updates_synchronized += count
        if count:
            self.email.new_updates_synchronized(count, self.server_name())

    def add_event(
        self,
        event_id: int,
        at: float,
        message: str,
        replacement_strings: List[str],
        severity: int = 1,
        hresult: int = 0,
    ) -> None:
        self.event_sequence += 1
        self.events.append(
            {
                "sequence": self.event_sequence,
                "event_instance_id": str(uuid.uuid4()),
                "event_id": event_id,
                "namespace_id": sync.EVENT_NAMESPACE,
                "source_id": 0,
                "time": format_datetime(utc_from_epoch(at)),
                "severity_id": severity,
                "win32_hresult": hresult,
                "message": message,
                "replacement_strings": list(replacement_strings),
            }
        )

    # ------------------------------------------------------------------------------------ configuration
    def set_configuration(
        self,
        row: Optional[Dict],
        list_true,
        list_false,
        uss_true,
        uss_false,
        program_keys,
        operation: str = "ExecuteSPSetConfiguration",
    ) -> None:
        if self.running:
            raise faults.sync_running(operation)
        if row is None:
            raise faults.argument_null("row")
        detect = any(bool(row.get(flag)) for flag in REQUEST_FLAGS)
        current = self.config["configurationChangeNumber"]
        if detect and row.get("configurationChangeNumber") != current:
            raise faults.ApplicationError(
                faults.INVALID_OPERATION,
                "The configuration was changed by another administrator: configurationChangeNumber %s was sent "
                "but the server is at %s (detectConfigChange is true). Read the configuration again."
                % (row.get("configurationChangeNumber"), current),
            )
        enabled = self._apply_languages(self.enabled_languages, list_true, list_false, "listTrue", "listFalse")
        uss_enabled = self._apply_languages(
            self.uss_enabled_languages, uss_true, uss_false, "ussListTrue", "ussListFalse"
        )
        new = {}
        for field in self.schema.config_fields:
            if field.name in SERVER_OWNED_CONFIG:
                new[field.name] = self.config[field.name]
            elif field.name in REQUEST_FLAGS:
                new[field.name] = False  # a request flag, not stored
            else:
                new[field.name] = row.get(field.name)
        self.validate_configuration(new, enabled)
        new["configurationChangeNumber"] = current + 1
        new["LastConfigChange"] = utc_from_epoch(self.now())
        self.config = new
        self.enabled_languages = enabled
        self.uss_enabled_languages = uss_enabled
        if program_keys is not None:
            self.program_keys = [
                {"Key": key.get("Key"), "Description": key.get("Description")}
                for key in program_keys.get("ProgramKey", [])
                if key is not None
            ]
        self.save()

    def another_administrator_sets_configuration(self, changes: Dict) -> None:
        """Another administrator's save (control API ``then_set_configuration``): a read-modify-write of the
        current row with ``changes`` (checked by ``check_configuration_changes``), through the same path as
        ExecuteSPSetConfiguration, so the Save() rules apply and configurationChangeNumber goes up."""
        row = dict(self.config)
        row.update(changes)
        self.set_configuration(row, None, None, None, None, None)
        self.configuration_saved()

    def check_configuration_changes(self, changes: Dict) -> None:
        """ValueError unless every item is a settable configuration field with a value of its xsd type."""
        types = {field.name: field.type for field in self.schema.config_fields}
        for name, value in changes.items():
            if name not in types:
                raise ValueError("%s is not a ConfigurationTableRow field of profile %s" % (name, self.schema.profile))
            if name in SERVER_OWNED_CONFIG or name in REQUEST_FLAGS:
                raise ValueError("%s is not stored from a save (server-owned or a request flag)" % name)
            kind = types[name]
            if kind in INTEGER_TYPES:
                valid = isinstance(value, int) and not isinstance(value, bool)
            elif kind == "boolean":
                valid = isinstance(value, bool)
            elif kind == "string":
                valid = value is None or isinstance(value, str)
            else:
                raise ValueError(
                    "%s (xsd:%s) cannot be set this way; only int, boolean and string fields can" % (name, kind)
                )
            if not valid:
                raise ValueError("%s is xsd:%s; %r is not a value of that type" % (name, kind, value))

    def _apply_languages(self, current: List[int], add, remove, add_name: str, remove_name: str) -> List[int]:
        to_add = self._language_ids(add, add_name)
        to_remove = self._language_ids(remove, remove_name)
        both = sorted(set(to_add) & set(to_remove))
        if both:
            raise faults.ApplicationError(
                faults.ARGUMENT,
                "Language ID(s) %s appear in both %s and %s." % (", ".join(map(str, both)), add_name, remove_name),
            )
        result = [lid for lid in current if lid not in to_remove]
        for lid in to_add:
            if lid not in result:
                result.append(lid)
        order = {language.id: position for position, language in enumerate(self.catalog.languages)}
        return sorted(result, key=lambda lid: order.get(lid, len(order)))

    def _language_ids(self, array, name: str) -> List[int]:
        if array is None:
            return []
        if self.language_rows == "live":
            return self._language_codes(array, name)
        ids = []
        for position, item in enumerate(array.get("anyType", []), start=1):
            if not isinstance(item, AnyValue) or item.type not in INTEGER_TYPES:
                kind = "xsi:nil" if item is None else ("untyped" if item.type is None else "xsd:" + item.type)
                raise faults.ApplicationError(
                    faults.ARGUMENT,
                    "%s item %d is %s; language lists hold LanguageID values typed xsd:int." % (name, position, kind),
                )
            if item.value not in self.catalog.language_by_id:
                raise faults.ApplicationError(
                    faults.NOT_FOUND,
                    "%s item %d: language ID %d is not an update "
                    "language of this server." % (name, position, item.value),
                )
            ids.append(item.value)
        return ids

    def _language_codes(self, array, name: str) -> List[int]:
        """Live layout: the items are ShortLanguage codes typed xsd:string, exactly as the rows show them
        (lowercase; .NET SetEnabledUpdateLanguages takes lowercase codes). Returns their LanguageIDs."""
        by_short = {language.short: language.id for language in self.catalog.languages}
        ids = []
        for position, item in enumerate(array.get("anyType", []), start=1):
            if not isinstance(item, AnyValue) or item.type != "string":
                kind = "xsi:nil" if item is None else ("untyped" if item.type is None else "xsd:" + item.type)
                raise faults.ApplicationError(
                    faults.ARGUMENT,
                    "%s item %d is %s; language lists hold ShortLanguage codes typed xsd:string "
                    '(such as "en", "pt-br").' % (name, position, kind),
                )
            if item.value not in by_short:
                raise faults.ApplicationError(
                    faults.ARGUMENT,
                    "%s item %d: %r is not the ShortLanguage of an update language of this "
                    "server." % (name, position, item.value),
                )
            ids.append(by_short[item.value])
        return ids

    @staticmethod
    def validate_configuration(config: Dict, enabled: List[int]) -> None:
        """The .NET IUpdateServerConfiguration.Save() rules."""
        if config.get("ReplicaMode") and config.get("SyncToMU"):
            raise faults.ApplicationError(
                faults.INVALID_OPERATION,
                "A replica server (ReplicaMode) cannot synchronize from Microsoft Update (SyncToMU).",
            )
        if not config.get("SyncToMU") and not (config.get("UpstreamServerName") or "").strip():
            raise faults.invalid_data(
                "UpstreamServerName must be set when SyncToMU is false (the server "
                "synchronizes from an upstream WSUS server)."
            )
        if config.get("UseProxy"):
            if not (config.get("ProxyName") or "").strip():
                raise faults.invalid_data("ProxyName must be set when UseProxy is true.")
            port = config.get("ProxyServerPort")
            if not isinstance(port, int) or not 1 <= port <= 65535:
                raise faults.invalid_data("ProxyServerPort %s is not a valid port (1-65535)." % port)
            if not config.get("AnonymousProxyAccess") and not (config.get("ProxyUserName") or "").strip():
                raise faults.invalid_data(
                    "ProxyUserName must be set when UseProxy is true and AnonymousProxyAccess is false."
                )
        if config.get("HostOnMu") and not config.get("ServerSupportsAllLanguages"):
            raise faults.invalid_data(
                "HostOnMu (clients download from Microsoft Update) requires ServerSupportsAllLanguages to be true."
            )
        if not config.get("HostOnMu") and not config.get("ServerSupportsAllLanguages") and not enabled:
            raise faults.invalid_data(
                "Update files are stored locally and not all languages are enabled, so at "
                "least one update language must be enabled."
            )

    def set_proxy_password(self, data: Optional[bytes]) -> None:
        if self.running:
            raise faults.sync_running("SetProxyPassword")
        password = mail.password_from_bytes(data, "proxy")
        self.proxy_password_sha256 = None
        if password is not None:
            self.proxy_password_sha256 = hashlib.sha256(password.encode("utf-8")).hexdigest()
        self.save()

    # ------------------------------------------------------------------------------------ subscription
    def set_subscription(
        self, subscription: Optional[Dict], category_ids, classification_ids, user_name: Optional[str]
    ) -> None:
        if self.running:
            raise faults.sync_running("SetSubscription")
        if subscription is None:
            raise faults.argument_null("subscription")
        if user_name is None:
            raise faults.argument_null("userName")
        per_day = subscription["NumberOfSynchronizationsPerDay"]
        if not 1 <= per_day <= 24:
            raise faults.out_of_range(
                "NumberOfSynchronizationsPerDay", "Actual value was %d; it must be between 1 and 24." % per_day
            )
        time_of_day = subscription["synchronizeAutomaticallyTimeOfDay"]
        if not 0 <= time_of_day < 86400:
            raise faults.out_of_range(
                "synchronizeAutomaticallyTimeOfDay",
                "Actual value was %d; it must be a number of seconds below 86400 (24 h)." % time_of_day,
            )
        replica = bool(self.config.get("ReplicaMode"))
        categories = classifications = None
        if not replica:
            categories = self._guid_list(category_ids, self.catalog.category, "update category")
            classifications = self._guid_list(classification_ids, self.catalog.classification, "update classification")
        self.subscription.update(
            {
                "synchronizeAutomaticallyTimeOfDay": time_of_day,
                "LastModifiedBy": user_name,
                "LastModifiedTime": utc_from_epoch(self.now()),
                "SynchronizeAutomatically": subscription["SynchronizeAutomatically"],
                "NumberOfSynchronizationsPerDay": per_day,
                "IsCategoryOnly": subscription["IsCategoryOnly"],
            }
        )
        if not replica:
            self.categories = categories
            self.classifications = classifications
        self.save()

    def another_administrator_sets_subscription(self, changes: Dict, user: str) -> None:
        """Another administrator's save (control API ``then_set_subscription``): SetSubscription with the
        current row and lists, ``changes`` (checked by ``check_subscription_changes``) applied over them."""
        row = dict(self.subscription)
        row.update({name: value for name, value in changes.items() if name in SUBSCRIPTION_SETTABLE})
        categories = changes.get("categories", self.categories)
        classifications = changes.get("classifications", self.classifications)
        self.set_subscription(row, {"guid": list(categories)}, {"guid": list(classifications)}, user)

    def check_subscription_changes(self, changes: Dict) -> None:
        """ValueError unless ``changes`` holds only known keys with values of their type and known GUIDs."""
        for name, value in changes.items():
            if name in ("categories", "classifications"):
                lookup = self.catalog.category if name == "categories" else self.catalog.classification
                if not isinstance(value, list) or not all(isinstance(guid, str) for guid in value):
                    raise ValueError("%s must be a list of GUIDs" % name)
                unknown = [guid for guid in value if lookup(guid) is None]
                if unknown:
                    raise ValueError("%s: %s not in the catalog" % (name, ", ".join(unknown)))
            elif name in SUBSCRIPTION_SETTABLE:
                if SUBSCRIPTION_SETTABLE[name] is bool:
                    valid = isinstance(value, bool)
                else:
                    valid = isinstance(value, int) and not isinstance(value, bool)
                if not valid:
                    raise ValueError(
                        "%s must be %s"
                        % (name, "true or false" if SUBSCRIPTION_SETTABLE[name] is bool else "an integer")
                    )
            else:
                raise ValueError(
                    "unknown key %s (allowed: %s)"
                    % (name, ", ".join(["categories", "classifications"] + sorted(SUBSCRIPTION_SETTABLE)))
                )

    @staticmethod
    def _guid_list(array, lookup, what: str) -> List[str]:
        result: List[str] = []
        for guid in (array or {}).get("guid", []):
            if lookup(guid) is None:
                raise faults.ApplicationError(
                    faults.NOT_FOUND, "The %s %s was not found on this server." % (what, guid)
                )
            if guid not in result:
                result.append(guid)
        return result

    def set_frequency(self, per_day: int, user: str) -> None:
        if self.running:
            raise faults.sync_running("SetSubscriptionFrequency")
        if not 1 <= per_day <= 24:
            raise faults.out_of_range(
                "numberOfSynchronizationsPerDay", "Actual value was %d; it must be between 1 and 24." % per_day
            )
        self.subscription["NumberOfSynchronizationsPerDay"] = per_day
        self.subscription["LastModifiedBy"] = user
        self.subscription["LastModifiedTime"] = utc_from_epoch(self.now())
        self.save()

    def next_synchronization_time(self) -> _dt.datetime:
        if not self.subscription["SynchronizeAutomatically"]:
            return MIN_DATETIME
        per_day = max(1, int(self.subscription["NumberOfSynchronizationsPerDay"]))
        first = int(self.subscription["synchronizeAutomaticallyTimeOfDay"]) % 86400
        now = utc_from_epoch(self.now())
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        candidates = []
        for day in (0, 1):
            for k in range(per_day):
                offset = (first + k * 86400 // per_day) % 86400
                candidates.append(midnight + _dt.timedelta(days=day, seconds=offset))
        return min(candidate for candidate in candidates if candidate > now)

    # ------------------------------------------------------------------------------------ languages
    def all_languages_enabled(self) -> bool:
        return bool(self.config.get("ServerSupportsAllLanguages"))

    def language_enabled(self, language_id: int) -> bool:
        return self.all_languages_enabled() or language_id in self.enabled_languages

    def uss_language_enabled(self, language_id: int) -> bool:
        return bool(self.config.get("UssSupportsAllLanguages")) or language_id in self.uss_enabled_languages

    def language_table(self) -> List[list]:
        """ExecuteSPGetAllLanguagesWithEnabledState rows in the configured layout, the pseudo-language "all"
        (LanguageID 0; enabled when ServerSupportsAllLanguages is) first."""
        all_enabled = self.all_languages_enabled()
        if self.language_rows == "live":
            return [["all", all_enabled, bool(self.config.get("UssSupportsAllLanguages"))]] + [
                [language.short, self.language_enabled(language.id), self.uss_language_enabled(language.id)]
                for language in self.catalog.languages
            ]
        return [[0, "all", "All languages", all_enabled]] + [
            [language.id, language.short, language.long, self.language_enabled(language.id)]
            for language in self.catalog.languages
        ]

    # ------------------------------------------------------------------------------------ events
    def search_events(self, event_filter: Dict) -> List[Dict]:
        self.advance()

        def bound(lower: str, upper: str):
            low = event_filter.get(lower[0].upper() + lower[1:])
            if low is None:
                low = event_filter.get(lower)
            high = event_filter.get(upper[0].upper() + upper[1:])
            if high is None:
                high = event_filter.get(upper)
            return low, high

        target_low, target_high = bound("fromTimeAtTarget", "toTimeAtTarget")
        server_low, server_high = bound("fromTimeAtServer", "toTimeAtServer")
        instance_ids = set((event_filter.get("eventInstanceIdFilter") or {}).get("guid", []))
        id_pairs = {
            (item["NamespaceId"], item["EventId"])
            for item in (event_filter.get("eventIdFilter") or {}).get("EventIdFilter", [])
            if item
        }
        source_pairs = {
            (item["NamespaceId"], item["SourceId"])
            for item in (event_filter.get("eventSourceFilter") or {}).get("EventSourceFilter", [])
            if item
        }
        severities = set((event_filter.get("eventSeverityFilter") or {}).get("int", []))
        update = event_filter.get("updateFilter")
        target = event_filter.get("targetId")
        found = []
        for event in self.events:
            when = parse_datetime(event["time"])
            if instance_ids and event["event_instance_id"] not in instance_ids:
                continue
            if id_pairs and (event["namespace_id"], event["event_id"]) not in id_pairs:
                continue
            if source_pairs and (event["namespace_id"], event["source_id"]) not in source_pairs:
                continue
            if severities and event["severity_id"] not in severities:
                continue
            if update and update.get("UpdateID") != "00000000-0000-0000-0000-000000000000":
                continue  # server events concern no update
            if target:
                continue  # server events concern no computer
            if not (target_low <= when <= target_high and server_low <= when <= server_high):
                continue
            found.append(event)
        found.sort(key=lambda event: event["sequence"], reverse=True)
        return found

    # ------------------------------------------------------------------------------------ control view
    def snapshot(self) -> Dict:
        self.advance()
        types = {field.name: field.type for field in self.schema.config_fields}
        state_int = self.subscription_state()
        phase, total, processed = self.sync_progress()
        by_id = self.catalog.language_by_id
        return {
            "profile": self.schema.profile,
            "created": format_datetime(self.created),
            "configuration": {name: _encode(types[name], value) for name, value in self.config.items()},
            "configuration_change_number": self.config["configurationChangeNumber"],
            "subscription": {
                name: (format_datetime(value) if isinstance(value, _dt.datetime) else value)
                for name, value in self.subscription.items()
            },
            "next_synchronization_time": format_datetime(self.next_synchronization_time()),
            "categories": list(self.categories),
            "classifications": list(self.classifications),
            "effective_products": self.catalog.effective_products(self.categories),
            "enabled_languages": [by_id[lid].short for lid in self.enabled_languages if lid in by_id],
            "enabled_language_ids": list(self.enabled_languages),
            "all_languages_enabled": self.all_languages_enabled(),
            "uss_enabled_language_ids": list(self.uss_enabled_languages),
            "language_rows": self.language_rows,
            "program_keys": list(self.program_keys),
            "proxy_password_set": self.proxy_password_sha256 is not None,
            "proxy_password_sha256": self.proxy_password_sha256,
            "sync": {
                "running": self.current_run is not None,
                "state": state_int,
                "phase": phase,
                "phase_name": sync.PHASE_NAMES.get(phase),
                "total": total,
                "processed": processed,
                "current_run": self._run_view(self.current_run),
                "last_run": self._run_view(self.last_run),
                "runs": self.runs,
                "pending_results": [dict(item) for item in self.pending_results],
                "stopping": self.current_run is not None and sync.stopping(self.current_run),
                "saving": self.saving,
                "settings": self.sync_settings(),
            },
            "events": [dict(event) for event in self.events],
            "content": self.content_view(),
            "email": self.email.view(),
            "updates_synchronized": self.updates_synchronized,
        }

    @staticmethod
    def _run_view(run: Optional[Dict]) -> Optional[Dict]:
        if run is None:
            return None
        view = {
            key: run[key]
            for key in (
                "id",
                "number",
                "category_only",
                "manual",
                "started_by",
                "replica",
                "phases",
                "duration",
                "new_updates",
            )
            if key in run
        }
        view["start"] = format_datetime(utc_from_epoch(run["start"]))
        if run.get("stop_requested") is not None:
            view["stop_requested"] = format_datetime(utc_from_epoch(run["stop_requested"]))
        if "end" in run:
            view["end"] = format_datetime(utc_from_epoch(run["end"]))
            view["result"] = run["result"]
            view["error_text"] = run.get("error_text")
        return view
