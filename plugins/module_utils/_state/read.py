# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server rows -> the document's shape. Pure functions, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

What ``server_info`` returns as ``sync_options`` comes from here, so it validates against the
schema and, applied back, plans no change.
"""

from __future__ import annotations

import datetime

from .resolve import references
from .schedule import utc_seconds_to_local

# Configuration row fields per document key ([MS-WSUSAR] 2.2.4.10; docs/document.md).
SOURCE_FIELDS = {"server": "UpstreamServerName", "port": "ServerPortNumber", "ssl": "UpstreamServerUseSsl",
                 "replica": "ReplicaMode", "content_from_microsoft_update": "GetContentFromMU"}
PROXY_FIELDS = {"enabled": "UseProxy", "server": "ProxyName", "port": "ProxyServerPort",
                "ssl_server": "SslProxyName", "ssl_port": "SslProxyServerPort", "username": "ProxyUserName",
                "domain": "ProxyUserDomain", "allow_basic_auth": "AllowProxyCredentialsOverNonSsl"}
STORAGE_FIELDS = {"download_only_approved": "LazySync", "express_files": "DownloadExpressPackages"}


def _value(row, field):
    """A row field as bool, int or str, decided by the text (rows carry no types)."""
    text = row.get_str(field)
    if text is None:
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def read_update_source(config):
    if config.get_bool("SyncToMU"):
        return {"type": "microsoft_update"}
    source = {"type": "upstream"}
    for key, field in SOURCE_FIELDS.items():
        value = _value(config, field)
        if value not in (None, ""):
            source[key] = value
    return source


def read_proxy(config):
    proxy = {}
    for key, field in PROXY_FIELDS.items():
        value = _value(config, field)
        if value not in (None, ""):
            proxy[key] = value
    if not config.get_bool("UseSeparateProxyForSsl"):
        proxy.pop("ssl_server", None)
        proxy.pop("ssl_port", None)
    if config.get_bool("AnonymousProxyAccess"):
        for key in ("username", "domain"):
            proxy.pop(key, None)
    if not proxy.get("server"):
        proxy.pop("port", None)
    return proxy


def read_storage(config):
    storage = {"local": not config.get_bool("HostOnMu")}
    if storage["local"]:  # the download options mean nothing (and may not be declared) without local files
        for key, field in STORAGE_FIELDS.items():
            storage[key] = bool(config.get_bool(field))
    return storage


def read_languages(config, languages):
    if config.get_bool("ServerSupportsAllLanguages"):
        return "all"
    return sorted(language.short for language in languages if language.enabled and language.short != "all")


def read_schedule(subscription, timezone="UTC", now=None):
    schedule = {"automatic": bool(subscription.get_bool("SynchronizeAutomatically")),
                "per_day": subscription.get_int("NumberOfSynchronizationsPerDay") or 1}
    seconds = subscription.get_int("synchronizeAutomaticallyTimeOfDay") or 0
    schedule["time"] = utc_seconds_to_local(seconds, timezone, now)
    schedule["timezone"] = timezone
    return schedule


def read_categories(selected, catalog):
    """Selected categories as the shortest declarations that resolve back to them (``references``)."""
    result = references([entry.id for entry in selected], catalog)
    return sorted(result, key=lambda ref: (ref if isinstance(ref, str) else ref.get("title") or ref["id"]).casefold())


def read_document(config=None, languages=None, subscription=None, products=None, classifications=None,
                  product_catalog=None, classification_catalog=None, timezone="UTC", now=None):
    """The sections that the given server data can tell (each argument is optional)."""
    document = {}
    if config is not None:
        document["update_source"] = read_update_source(config)
        document["proxy"] = read_proxy(config)
        document["storage"] = read_storage(config)
        if languages is not None:
            document["languages"] = read_languages(config, languages)
    if subscription is not None:
        document["schedule"] = read_schedule(subscription, timezone, now or datetime.datetime.now(datetime.timezone.utc))
    if products is not None:
        document["products"] = read_categories(products, product_catalog or products)
    if classifications is not None:
        document["classifications"] = read_categories(classifications, classification_catalog or classifications)
    return document
