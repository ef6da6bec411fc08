# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The document keys and the WSUS row fields behind them, each key once. Pure data and functions, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

The planner (``plan.py``) compares and writes through this table, the reader (``read.py``) reads the
document's shape through it, and the diff shows what the planner compared. A key that is no row field
is in ``NOT_ROW_FIELDS`` with the reason. ``tests/unit/state/test_fields.py`` checks that the schema,
the ``sync_options`` argument spec and this module name exactly the same keys.

Row fields: ConfigurationTableRow ([MS-WSUSAR] 2.2.4.10) and SubscriptionTableRow, in the field orders of
``_wsusar/operations.py``; docs/document.md lists them per key.
"""

from __future__ import annotations

MICROSOFT_UPDATE = "microsoft_update"
UPSTREAM = "upstream"

# The configuration sections planned and read key by key through ``KEYS``.
KEYED_SECTIONS = ("update_source", "proxy", "storage")

# Document keys that are no row field, each planned on its own (plan.py).
NOT_ROW_FIELDS = {
    ("proxy", "password"): "written with SetProxyPassword; the server only tells whether one is set",
    ("proxy", "update_password"): "when to send proxy.password: a setting of the task, not of the server",
    ("schedule", "timezone"): "the zone schedule.time is declared in; the row holds the time in UTC",
}


class Key:
    """One document key, ``section.name``, and the row field(s) behind it.

    ``kind`` (bool, int or str) is the type of the document's value and of the argument spec's option.
    ``get(row)`` is the server's value as the planner compares it with the declared one (``""`` for an
    empty text, ``False`` for a missing flag) and as the reader reports it; ``put(row, value)`` writes a
    declared value. Both default to the plain field of ``kind``; a key spread over several fields gives
    its own. ``caseless``: compared case-insensitively (host and account names). ``reported(row)``: whether
    the server's settings have the key at all (the port of a proxy without a server has no meaning);
    ``None``: always.
    """

    __slots__ = ("section", "name", "kind", "fields", "get", "put", "caseless", "reported")

    def __init__(self, section, name, kind, field=None, get=None, put=None, fields=(), caseless=False, reported=None):
        self.section, self.name, self.kind = section, name, kind
        self.fields = tuple(fields) or (field,)
        self.get = get or _plain_get(field, kind)
        self.put = put or _plain_put(field)
        self.caseless = caseless
        self.reported = reported

    @property
    def field(self):
        """The row field, for a key that is one field."""
        return self.fields[0]

    def same(self, current, wanted):
        """Whether the server's ``current`` value is the declared ``wanted`` one."""
        if self.caseless and isinstance(current, str) and isinstance(wanted, str):
            return current.casefold() == wanted.casefold()
        return current == wanted

    def __repr__(self):
        return "Key(%s.%s: %s)" % (self.section, self.name, ", ".join(self.fields))


def _text(row, field):
    return row.get_str(field) or ""


def _plain_get(field, kind):
    if kind == "bool":
        return lambda row: bool(row.get_bool(field))
    if kind == "int":
        return lambda row: row.get_int(field)
    return lambda row: _text(row, field)


def _plain_put(field):
    return lambda row, value: row.set(field, value if value != "" else None)


# --------------------------------------------------------------------------- special keys


def _get_source_type(row):
    return MICROSOFT_UPDATE if row.get_bool("SyncToMU") else UPSTREAM


def _set_source_type(row, value):
    row.set("SyncToMU", value == MICROSOFT_UPDATE)
    if value == MICROSOFT_UPDATE:
        row.set("ReplicaMode", False)  # WSUS refuses a replica that syncs from Microsoft Update


def _get_ssl_server(row):
    return _text(row, "SslProxyName") if row.get_bool("UseSeparateProxyForSsl") else ""


def _set_ssl_server(row, value):
    row.set("UseSeparateProxyForSsl", bool(value))
    if value:
        row.set("SslProxyName", value)


def _get_username(row):
    return "" if row.get_bool("AnonymousProxyAccess") else _text(row, "ProxyUserName")


def _set_username(row, value):
    row.set("AnonymousProxyAccess", not value)
    if value:
        row.set("ProxyUserName", value)


# --------------------------------------------------------------------------- when the server has a key


def _from_upstream(row):
    return not row.get_bool("SyncToMU")


def _with_proxy_server(row):
    return bool(_text(row, "ProxyName"))


def _with_separate_ssl_proxy(row):
    return bool(row.get_bool("UseSeparateProxyForSsl"))


def _with_credentials(row):
    return not row.get_bool("AnonymousProxyAccess")


def _with_local_files(row):
    return not row.get_bool("HostOnMu")  # the download options mean nothing without local files


KEYS = (
    Key("update_source", "type", "str", get=_get_source_type, put=_set_source_type, fields=("SyncToMU", "ReplicaMode")),
    Key("update_source", "server", "str", "UpstreamServerName", caseless=True, reported=_from_upstream),
    Key("update_source", "port", "int", "ServerPortNumber", reported=_from_upstream),
    Key("update_source", "ssl", "bool", "UpstreamServerUseSsl", reported=_from_upstream),
    Key("update_source", "replica", "bool", "ReplicaMode", reported=_from_upstream),
    Key("update_source", "content_from_microsoft_update", "bool", "GetContentFromMU", reported=_from_upstream),
    Key("proxy", "enabled", "bool", "UseProxy"),
    Key("proxy", "server", "str", "ProxyName", caseless=True),
    Key("proxy", "port", "int", "ProxyServerPort", reported=_with_proxy_server),
    Key(
        "proxy",
        "ssl_server",
        "str",
        get=_get_ssl_server,
        put=_set_ssl_server,
        caseless=True,
        fields=("UseSeparateProxyForSsl", "SslProxyName"),
        reported=_with_separate_ssl_proxy,
    ),
    Key("proxy", "ssl_port", "int", "SslProxyServerPort", reported=_with_separate_ssl_proxy),
    Key(
        "proxy",
        "username",
        "str",
        get=_get_username,
        put=_set_username,
        caseless=True,
        fields=("AnonymousProxyAccess", "ProxyUserName"),
        reported=_with_credentials,
    ),
    Key("proxy", "domain", "str", "ProxyUserDomain", caseless=True, reported=_with_credentials),
    Key("proxy", "allow_basic_auth", "bool", "AllowProxyCredentialsOverNonSsl"),
    Key(
        "storage",
        "local",
        "bool",
        get=lambda row: not row.get_bool("HostOnMu"),
        put=lambda row, value: row.set("HostOnMu", not value),
        fields=("HostOnMu",),
    ),
    Key("storage", "download_only_approved", "bool", "LazySync", reported=_with_local_files),
    Key("storage", "express_files", "bool", "DownloadExpressPackages", reported=_with_local_files),
    # The subscription row. It holds schedule.time as seconds after midnight UTC: the get and put of
    # schedule.time work in those seconds, and plan.py and read.py convert them with schedule.timezone.
    Key("schedule", "automatic", "bool", "SynchronizeAutomatically"),
    Key(
        "schedule",
        "time",
        "str",
        "synchronizeAutomaticallyTimeOfDay",
        get=lambda row: row.get_int("synchronizeAutomaticallyTimeOfDay") or 0,
    ),
    Key("schedule", "per_day", "int", "NumberOfSynchronizationsPerDay"),
)


def _by_section(keys):
    sections: dict = {}
    for key in keys:
        sections.setdefault(key.section, {})[key.name] = key
    return sections


# section -> key name -> Key, in the document's order
BY_SECTION = _by_section(KEYS)
SCHEDULE = BY_SECTION["schedule"]


def document_keys():
    """section -> the set of its keys: those of ``KEYS`` and of ``NOT_ROW_FIELDS``."""
    keys: dict = {}
    for section, name in [(key.section, key.name) for key in KEYS] + list(NOT_ROW_FIELDS):
        keys.setdefault(section, set()).add(name)
    return keys
