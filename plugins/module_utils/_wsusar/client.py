# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed [MS-WSUSAR] operations: what the state layer and the modules call.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. No Ansible imports.

    client = WsusClient.connect("wsus01.example.com", username="CORP\\svc", password="...")
    print(client.get_server_version())
    config = client.get_configuration()      # an OrderedRow: every field as the server sent it
    config.set("UseProxy", True)
    client.set_configuration(config)         # read-modify-write of the whole row, refused if saved meanwhile
"""

from __future__ import annotations

import datetime
from collections import namedtuple

from . import limits
from .._guid import EMPTY_GUID, GUID_RE
from .errors import WsusPermissionError, WsusProtocolError, WsusSoapFault
from .operations import OPERATIONS, soap_action
from .recipients import join_recipients, split_recipients
from .soap import MAX_DATETIME_TEXT, MIN_DATETIME, decode_response, encode_request
from .transport import Transport

ROLES = {0: "none", 1: "reporter", 2: "administrator"}

# Category row columns, [MS-WSUSAR] 2.2.4.12.1.1 (UpdateCategoryProperties).
Category = namedtuple("Category", "id title type prohibits_subcategories description arrival_date")


# One update language of ExecuteSPGetAllLanguagesWithEnabledState. ``layout`` is the row layout the server
# sent: "live" [ShortLanguage, Enabled, UssEnabled] (what real servers send, per two independent clients)
# or "spec" [LanguageId, ShortLanguage, LongLanguage, Enabled] (our reading of [MS-WSUSAR]); see
# docs/protocol-notes.md. ``key`` is what ExecuteSPSetConfiguration's listTrue/listFalse carry for it.
class Language(namedtuple("Language", "id short name enabled layout uss_enabled", defaults=(None, None))):
    __slots__ = ()

    @property
    def key(self):
        """The list item for this language: the LanguageId int (spec layout), the lowercase short code
        (live layout), or None when the layout is unknown (then nothing may be written)."""
        if self.layout == "spec" and isinstance(self.id, int) and not isinstance(self.id, bool):
            return self.id
        if self.layout == "live" and self.short:
            return self.short
        return None


SyncProgress = namedtuple("SyncProgress", "phase total processed")

SYNC_PHASES = {0: "not_processing", 1: "updates", 2: "approvals", 3: "categories"}
# Server synchronization events, namespace 2: the one definition of their ids in the collection. The spec
# lists none; see docs/protocol-notes.md ("Sync history"). ADeep maps 385 to canceled; a script written
# against a real server's SUSDB reads 381, 382, 384, 386 and 387 as starts and ends and never 385: both
# 385 and 387 are read as canceled (unless the event carries an error HRESULT, see _sync_status).
SYNC_EVENT_NAMESPACE = 2
SCHEDULED_START, MANUAL_START, SUCCEEDED = 381, 382, 384
SYNC_START_EVENTS = {SCHEDULED_START: "scheduled_start", MANUAL_START: "manual_start"}
SYNC_END_EVENTS = {SUCCEEDED: "succeeded", 385: "canceled", 386: "failed", 387: "canceled"}
SYNC_EVENTS = dict(SYNC_START_EVENTS)
SYNC_EVENTS.update(SYNC_END_EVENTS)

# The request flags of ConfigurationTableRow that make WSUS check configurationChangeNumber: the spec's, and the
# one Windows Server 2022 appends at the end of the row (sent only when the server's row has it).
CHANGE_DETECTION_FLAGS = ("detectConfigChange", "DetectConfigChange")

# ExecuteSPGet/SetEmailNotificationRecipients' EmailNotificationType values (live WSDL).
EMAIL_NEW_SYNC = "NewSync"
EMAIL_SUMMARY = "Summary"

# Fault types that mean "your role does not allow this".
_PERMISSION_FAULTS = ("UnauthorizedAccessException", "SecurityException")


class WsusClient:
    """The operations ops.wsus needs, each one SOAP call; ``calls`` lists them in order."""

    def __init__(self, transport):
        self.transport = transport
        self.calls = []

    @classmethod
    def connect(cls, server, **settings):
        """A client for ``server``; ``settings`` are Transport's keyword arguments."""
        return cls(Transport(server, **settings))

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, name, args=None):
        """Encode, send and decode one operation of the table in ``operations.py``."""
        operation = OPERATIONS[name]
        body = encode_request(name, args)
        self.calls.append(name)
        status, data = self.transport.post(name, body, soap_action(name), write=operation.write)
        max_bytes = getattr(self.transport, "max_response_bytes", limits.DEFAULT_MAX_RESPONSE_MB * limits.MIB)
        try:
            return decode_response(name, data, max_tags=limits.max_tags(max_bytes))
        except WsusProtocolError as error:
            # The server answered, unreadably: a write may have been applied.
            content_type = getattr(self.transport, "last_content_type", None)
            unreadable = WsusProtocolError(
                "WSUS server %s answered %s (HTTP %s%s) with an answer ops.wsus cannot read: %s"
                % (
                    getattr(self.transport, "where", "?"),
                    name,
                    status,
                    ", " + content_type if content_type else "",
                    error,
                ),
                name,
            )
            unreadable.outcome_unknown = operation.write
            raise unreadable from None
        except WsusSoapFault as fault:
            if fault.short_type in _PERMISSION_FAULTS:
                raise WsusPermissionError(
                    "user %s may not call %s on %s (%s): writing needs the WSUS Administrators role"
                    % (
                        self.transport.username,
                        name,
                        self.transport.where,
                        fault.exception_message or fault.faultstring,
                    ),
                    name,
                ) from None
            raise

    # ------------------------------------------------------------------ server

    def get_server_version(self):
        return self.call("GetServerVersion")

    def get_server_protocol_version(self):
        return self.call("GetServerProtocolVersion")

    def get_current_user_role(self):
        """``none``, ``reporter`` or ``administrator``."""
        role = self.call("GetCurrentUserRole")
        return ROLES.get(role, "unknown(%s)" % role)

    # ------------------------------------------------------------------ configuration

    def get_configuration(self):
        """The ConfigurationTableRow as an ``OrderedRow`` (all fields, in the server's order)."""
        return self.call("ExecuteSPGetConfiguration")

    def set_configuration(self, row, enable_languages=(), disable_languages=(), detect_change=True):
        """Write the whole row back. The languages are ``Language.key`` values for listTrue/listFalse: all
        LanguageId ints (xsd:int, spec layout) or all short codes (xsd:string, live layout).

        ``detect_change``: send ``detectConfigChange`` (and its WS2022 twin ``DetectConfigChange`` when the
        row has it) true, so that WSUS refuses the write when the row's ``configurationChangeNumber`` (the
        one read) is no longer the server's: someone saved the configuration after it was read
        ([MS-WSUSAR] 2.2.4.10). ``row`` itself is not changed. A row without a change number is sent as it is.
        """
        enable, disable = _language_items(enable_languages, disable_languages)
        if detect_change and "configurationChangeNumber" in row:
            row = row.copy()
            for flag in CHANGE_DETECTION_FLAGS:
                if flag in row or flag == CHANGE_DETECTION_FLAGS[0]:
                    row.set(flag, True)
        self.call(
            "ExecuteSPSetConfiguration",
            {
                "row": row,
                "listTrue": enable,
                "listFalse": disable,
                "ussListTrue": [],
                "ussListFalse": [],
            },
        )

    def has_proxy_password(self):
        return bool(self.call("HasProxyPassword"))

    def set_proxy_password(self, password):
        """The password as UTF-16LE bytes (the .NET string encoding; see docs/protocol-notes.md)."""
        self.call("SetProxyPassword", {"passwordBytes": (password or "").encode("utf-16-le")})

    def get_languages(self):
        """Every update language with its enabled state (the pseudo-language "all" is left out)."""
        languages = [_language(row) for row in self.call("ExecuteSPGetAllLanguagesWithEnabledState")]
        layouts = set(language.layout for language in languages)
        if len(layouts) > 1:
            raise WsusProtocolError(
                "the server's language rows mix layouts (%s); ops.wsus cannot tell what to "
                "send to change languages" % ", ".join(sorted(layouts)),
                "ExecuteSPGetAllLanguagesWithEnabledState",
            )
        return [language for language in languages if not _is_all(language)]

    # ------------------------------------------------------------------ subscription

    def get_subscription(self):
        """The SubscriptionTableRow as an ``OrderedRow``."""
        return self.call("GetSubscription")

    def set_subscription(self, row, category_ids, classification_ids, user_name):
        """Save the subscription. WSUS replaces BOTH lists: pass the current ones to keep them."""
        self.call(
            "SetSubscription",
            {
                "subscription": row,
                "categoryIds": list(category_ids),
                "updateClassificationIds": list(classification_ids),
                "userName": user_name,
            },
        )

    def set_subscription_frequency(self, per_day):
        self.call("SetSubscriptionFrequency", {"numberOfSynchronizationsPerDay": per_day})

    def get_subscription_categories(self, culture="en", classifications=False):
        """The selected products/families/companies (or classifications)."""
        rows = self.call(
            "GetSubscriptionCategories", {"preferredCulture": culture, "retrieveUpdateClassifications": classifications}
        )
        return [_category(row) for row in rows]

    def get_categories(self, culture="en", classifications=False):
        """Every category (companies, product families, products) or every classification."""
        rows = self.call(
            "ExecuteSPGetCategories",
            {
                "preferredCulture": culture,
                "retrieveUpdateClassifications": classifications,
                "fromSyncDate": MIN_DATETIME,
                "toSyncDate": MAX_DATETIME_TEXT,
            },
        )
        return [_category(row) for row in rows]

    def get_top_level_categories(self, culture="en"):
        return [_category(row) for row in self.call("ExecuteSPGetTopLevelCategories", {"preferredCulture": culture})]

    def get_subcategories(self, category_id, culture="en"):
        rows = self.call("ExecuteSPGetSubcategories", {"preferredCulture": culture, "categoryId": category_id})
        return [_category(row) for row in rows]

    # ------------------------------------------------------------------ e-mail notifications

    def get_email_configuration(self):
        """The EmailNotificationConfigurationRow as an ``OrderedRow``."""
        return self.call("ExecuteSPGetEmailNotificationConfiguration")

    def set_email_configuration(self, row):
        """Write the whole row back (read-modify-write: change only the fields you set)."""
        self.call("ExecuteSPSetEmailNotificationConfiguration", {"setting": row})

    def get_email_recipients(self, kind):
        """The addresses of ``kind`` (EMAIL_NEW_SYNC, EMAIL_SUMMARY) as a list, in the server's order."""
        return split_recipients(self.call("ExecuteSPGetEmailNotificationRecipients", {"value": kind}))

    def set_email_recipients(self, kind, addresses):
        """Replace the list of ``kind``; an empty list clears it."""
        self.call(
            "ExecuteSPSetEmailNotificationRecipients",
            {"recipients": join_recipients(addresses), "notificationType": kind},
        )

    def has_smtp_password(self):
        return bool(self.call("HasSmtpUserPassword"))

    def set_smtp_password(self, password):
        """The password as UTF-16LE bytes, as SetProxyPassword (docs/protocol-notes.md)."""
        self.call("SetSmtpUserPassword", {"passwordBytes": (password or "").encode("utf-16-le")})

    def send_test_email(self, language, user_name, sender_address, host, port, recipients):
        """Ask the server to send its test message now; a failure is a WsusSoapFault with the server's text."""
        self.call(
            "SendTestEmail",
            {
                "emailLanguage": language,
                "smtpUserName": user_name,
                "senderEmailAddress": sender_address,
                "smtpHostName": host,
                "smtpPort": port,
                "recipients": join_recipients(recipients),
            },
        )

    # ------------------------------------------------------------------ synchronization

    def get_subscription_state(self):
        """The raw state int: 0 is idle, any other value means a synchronization is busy."""
        return self.call("GetSubscriptionState")

    def get_sync_progress(self):
        rows = self.call("GetServerSyncProgress")
        if not rows or len(rows[0]) < 3:
            return SyncProgress("not_processing", 0, 0)
        phase, total, processed = rows[0][:3]
        return SyncProgress(SYNC_PHASES.get(phase, "unknown(%s)" % phase), total or 0, processed or 0)

    def get_next_sync_time(self):
        """The next scheduled synchronization (aware UTC datetime), or None when none is scheduled."""
        return self.call("GetSubscriptionNextSynchronizationTime")

    def get_content_download_progress(self):
        """(bytes downloaded, bytes still to download) of the update content queued for download."""
        row = self.call("ExecuteSPGetContentDownloadProgress") or []
        values = [int(value or 0) if _is_int(value) else 0 for value in row[:2]]
        values += [0] * (2 - len(values))
        return values[0], values[1]

    def get_failed_download_count(self):
        """How many updates failed to download their content."""
        return self.call("ExecuteSPGetFailedToDownloadUpdatesCount") or 0

    def get_components_with_errors(self):
        """The names of the server components in an error state (an empty list when all is well)."""
        return list(self.call("ExecuteSPGetComponentsWithErrors") or [])

    def get_all_downstream_servers(self):
        """The raw rows of every downstream server registered below this server, nested ones included.

        Called as a console-style client tested against real servers calls it: ``parentServerId`` Guid.Empty
        (this server) and ``includeNestedChildren`` true (docs/evidence.md, "Sync health" row 13). The rows are
        untyped and positional: ``_state.downstream.read_rows`` checks and reads them."""
        return self.call(
            "ExecuteSPGetAllDownstreamServers", {"parentServerId": EMPTY_GUID, "includeNestedChildren": True}
        )

    def start_sync(self, category_only=False):
        self.call("StartSubscriptionManuallyForCategoryOnly" if category_only else "StartSubscriptionManually")

    def stop_sync(self):
        self.call("StopSubscription")

    def get_sync_events(self, since=None, until=None, any_id=False):
        """Server synchronization events (starts and ends, ``SYNC_EVENTS``), oldest first. ``any_id``: every
        namespace-2 event in the time range instead, whatever its id (to find an end event we do not know)."""
        event_ids = [] if any_id else [(SYNC_EVENT_NAMESPACE, event_id) for event_id in sorted(SYNC_EVENTS)]
        events = self.call(
            "ExecuteSPSearchEventHistory", {"eventHistoryFilter": {"event_ids": event_ids, "from": since, "to": until}}
        )
        sync_events = [
            event
            for event in events
            if event.get("NamespaceId") == SYNC_EVENT_NAMESPACE and (any_id or event.get("EventId") in SYNC_EVENTS)
        ]
        return sorted(sync_events, key=lambda event: event.get("TimeAtServer") or MIN_DATETIME)


def _category(row):
    if len(row) < 8:
        raise WsusProtocolError("a category row has %d columns, expected 12" % len(row))
    description = row[8] if len(row) > 8 else None
    arrival_date = row[10] if len(row) > 10 else None
    if (
        not (isinstance(row[1], str) and GUID_RE.match(row[1]))
        or not isinstance(row[2], str)
        or not isinstance(row[7], (str, type(None)))
        or not isinstance(description, (str, type(None)))
        or not isinstance(arrival_date, (datetime.datetime, type(None)))
    ):
        raise WsusProtocolError(
            "unexpected category row: expected a GUID, a type and a title in columns 2, 3 and 8, got %r"
            % ([row[1], row[2], row[7]],)
        )
    return Category(
        id=row[1],
        title=row[7] or "",
        type=row[2],
        prohibits_subcategories=row[3],
        description=description,
        arrival_date=arrival_date,
    )


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _language(row):
    """The live layout [ShortLanguage, Enabled, UssEnabled] or the spec layout [LanguageId, ShortLanguage,
    LongLanguage, Enabled]; see docs/protocol-notes.md. Any other row is refused: guessing would send the
    wrong items to listTrue/listFalse."""
    row = list(row or ())
    if (
        len(row) in (2, 3)
        and isinstance(row[0], str)
        and row[0].strip()
        and isinstance(row[1], bool)
        and (len(row) == 2 or isinstance(row[2], bool))
    ):
        return Language(
            id=None,
            short=row[0].strip().lower(),
            name=row[0],
            enabled=row[1],
            layout="live",
            uss_enabled=row[2] if len(row) == 3 else None,
        )
    if len(row) >= 4 and _is_int(row[0]) and isinstance(row[1], str) and row[1].strip() and isinstance(row[3], bool):
        return Language(id=row[0], short=row[1].strip().lower(), name=row[2] or row[1], enabled=row[3], layout="spec")
    raise WsusProtocolError(
        "unexpected language row %r: expected [ShortLanguage, Enabled, UssEnabled] or "
        "[LanguageId, ShortLanguage, LongLanguage, Enabled]; ops.wsus writes no languages "
        "it cannot identify" % (row,),
        "ExecuteSPGetAllLanguagesWithEnabledState",
    )


def _is_all(language):
    """The pseudo-language "all" (LanguageId 0) is not a language: it is left out when reading."""
    return language.short == "all" or (language.layout == "spec" and language.id == 0)


def _language_items(*lists):
    """The listTrue/listFalse items, checked before anything is sent: never nil, all ints or all strings."""
    items = [list(values) for values in lists]
    flat = [item for values in items for item in values]
    bad = [item for item in flat if not (_is_int(item) or (isinstance(item, str) and item.strip()))]
    if bad:
        raise WsusProtocolError(
            "refusing to write the configuration: language list item %r is neither a "
            "LanguageId nor a language code (nothing was sent)" % (bad[0],),
            "ExecuteSPSetConfiguration",
        )
    if any(_is_int(item) for item in flat) and any(isinstance(item, str) for item in flat):
        raise WsusProtocolError(
            "refusing to write the configuration: the language lists mix LanguageIds and "
            "language codes (nothing was sent)",
            "ExecuteSPSetConfiguration",
        )
    return items
