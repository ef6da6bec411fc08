# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired-state document: its sections and the defaults applied inside a declared section.
Pure functions, no I/O (which keys are secret, and their masking: ``secrets.py``).

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Rule: a section or key that is not declared is left as the server has it. A documented default
applies only inside what is declared: ``proxy.port`` defaults to 80 when ``proxy.server`` is
declared, ``update_source.port`` to 8530 when ``type: upstream`` is, ``proxy.ssl_port`` to 443
when ``proxy.ssl_server`` is, ``schedule.timezone`` to UTC when ``schedule.time`` is, and
``proxy.update_password`` to ``on_create``.
"""

from __future__ import annotations

import copy

SECTIONS = ("update_source", "proxy", "products", "classifications", "schedule", "languages", "storage")
# The sections kept in the configuration row (with the language list) and in the subscription row.
CONFIGURATION_SECTIONS = ("update_source", "proxy", "storage", "languages")
SUBSCRIPTION_SECTIONS = ("products", "classifications", "schedule")

DEFAULT_UPSTREAM_PORT = 8530
DEFAULT_PROXY_PORT = 80
DEFAULT_SSL_PROXY_PORT = 443


def normalize(raw):
    """The declared document with ``None`` values dropped and in-section defaults applied."""
    document = {}
    for section in SECTIONS:
        value = (raw or {}).get(section)
        if value is None:
            continue
        if isinstance(value, dict):
            value = {key: item for key, item in value.items() if item is not None}
        document[section] = copy.deepcopy(value)
    _apply_defaults(document)
    if isinstance(document.get("languages"), list):
        document["languages"] = sorted({str(code).lower() for code in document["languages"]})
    return document


def _apply_defaults(document):
    source = document.get("update_source")
    if source and source.get("type") == "upstream":
        source.setdefault("port", DEFAULT_UPSTREAM_PORT)
    proxy = document.get("proxy")
    if proxy is not None:
        if proxy.get("server"):
            proxy.setdefault("port", DEFAULT_PROXY_PORT)
        if proxy.get("ssl_server"):
            proxy.setdefault("ssl_port", DEFAULT_SSL_PROXY_PORT)
        if "password" in proxy:
            proxy.setdefault("update_password", "on_create")
    schedule = document.get("schedule")
    if schedule and "time" in schedule:
        schedule.setdefault("timezone", "UTC")
