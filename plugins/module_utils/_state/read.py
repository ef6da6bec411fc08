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

from .fields import BY_SECTION, KEYED_SECTIONS, SCHEDULE
from .resolve import references
from .schedule import utc_seconds_to_local


def read_keyed_section(section, config):
    """The keys of update_source, proxy or storage that the server has, with their values; empty ones
    are left out (``fields.KEYS``: each key's value and whether the server has it)."""
    values = {}
    for key in BY_SECTION[section].values():
        if key.reported is None or key.reported(config):
            value = key.get(config)
            if value not in (None, ""):
                values[key.name] = value
    return values


def read_languages(config, languages):
    if config.get_bool("ServerSupportsAllLanguages"):
        return "all"
    return sorted(language.short for language in languages if language.enabled and language.short != "all")


def read_schedule(subscription, timezone="UTC", now=None):
    schedule = {
        "automatic": SCHEDULE["automatic"].get(subscription),
        "per_day": SCHEDULE["per_day"].get(subscription) or 1,
    }
    schedule["time"] = utc_seconds_to_local(SCHEDULE["time"].get(subscription), timezone, now)
    schedule["timezone"] = timezone
    return schedule


def read_categories(selected, catalog):
    """Selected categories as the shortest declarations that resolve back to them (``references``)."""
    result = references([entry.id for entry in selected], catalog)
    return sorted(result, key=lambda ref: (ref if isinstance(ref, str) else ref.get("title") or ref["id"]).casefold())


def read_document(
    config=None,
    languages=None,
    subscription=None,
    products=None,
    classifications=None,
    product_catalog=None,
    classification_catalog=None,
    timezone="UTC",
    now=None,
):
    """The sections that the given server data can tell (each argument is optional)."""
    document = {}
    if config is not None:
        for section in KEYED_SECTIONS:
            document[section] = read_keyed_section(section, config)
        if languages is not None:
            document["languages"] = read_languages(config, languages)
    if subscription is not None:
        document["schedule"] = read_schedule(
            subscription, timezone, now or datetime.datetime.now(datetime.timezone.utc)
        )
    if products is not None:
        document["products"] = read_categories(products, product_catalog or products)
    if classifications is not None:
        document["classifications"] = read_categories(classifications, classification_catalog or classifications)
    return document
