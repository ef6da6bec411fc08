# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSUS rules about a declared document that need more of the server than its rows: a replica takes its
selection from upstream, a downstream server may ignore products and languages, a parent selected with
its child. Pure functions, no I/O: the caller (``_sync_options.py``) reads what they are given.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

from .fields import BY_SECTION, MICROSOFT_UPDATE
from .plan import PlanError
from .resolve import parent_child_overlaps

# The WSUS category types that stand for everything under them, future products too.
CONTAINER_TYPES = ("Company", "ProductFamily")
# The sections that a replica takes from its upstream server.
SELECTION_SECTIONS = ("products", "classifications")
# The sections that a server synchronizing from an upstream server may not get as declared.
DOWNSTREAM_SECTIONS = ("products", "languages")


def declares_selection(desired):
    """Whether the document declares products or classifications."""
    return any(section in desired for section in SELECTION_SECTIONS)


def declares_replica(desired):
    """Whether the document says whether the server is a replica (update_source.replica)."""
    return "replica" in desired.get("update_source", {})


def refuse_selection_on_replica(desired, config=None):
    """Raise ``PlanError`` when products or classifications are declared for a server that is, or that the
    document makes, a replica. ``config``: the server's configuration row, needed only when the document
    does not declare update_source.replica (``declares_replica``)."""
    if not declares_selection(desired):
        return
    declared = desired.get("update_source", {})
    replica = declared["replica"] if declares_replica(desired) else BY_SECTION["update_source"]["replica"].get(config)
    if replica and declared.get("type") != MICROSOFT_UPDATE:
        raise PlanError(
            "products/classifications: this server is a replica; it takes both from its "
            "upstream server, so remove them from the document (or make it autonomous with "
            "update_source.replica: false)"
        )


def declares_downstream_sections(desired):
    """Whether the document declares products or languages (``downstream_warnings`` needs the row then)."""
    return any(section in desired for section in DOWNSTREAM_SECTIONS)


def downstream_warnings(desired, config):
    """Warn that WSUS may ignore declared products and languages on a server that synchronizes from an upstream
    server. ``config``: the configuration row as the task leaves it (the planned one, or the server's)."""
    declared = [section for section in DOWNSTREAM_SECTIONS if section in desired]
    if not declared or BY_SECTION["update_source"]["type"].get(config) == MICROSOFT_UPDATE:
        return []
    return [
        "%s declared on a server that synchronizes from an upstream server: WSUS takes what the upstream "
        "server offers and may ignore them" % " and ".join(declared)
    ]


def containers_among(by_id, guids):
    """The companies and product families among ``guids`` (the catalog ``by_id`` knows their types)."""
    return sorted(
        guid.lower() for guid in guids if guid.lower() in by_id and by_id[guid.lower()].type in CONTAINER_TYPES
    )


def effectively_selected(selected_ids, descendants):
    """The selected categories and everything under a selected company or product family.

    ``descendants``: for each selected company or product family (``containers_among``), what is under it
    at any depth (child GUID -> its parent's GUID, as ``ServerReader.descendants`` gives it).
    """
    effective = {guid.lower() for guid in selected_ids}
    for children in descendants.values():
        effective.update(children)
    return effective


def overlap_warnings(category_ids, catalog, descendants):
    """Warn when a company or product family and anything under it (at any depth) are both selected.

    ``catalog``: the product catalog; ``descendants`` as for ``effectively_selected``, for the companies and
    product families among ``category_ids``.
    """
    by_id = {entry.id.lower(): entry for entry in catalog}
    parents: dict = {}
    for guid in containers_among(by_id, category_ids):
        for child, parent in descendants.get(guid, {}).items():
            parents.setdefault(child, parent)
    children: dict = {}
    for child, ancestor in parent_child_overlaps(category_ids, parents):
        if child in by_id and ancestor in by_id:
            children.setdefault(by_id[ancestor].title, []).append(by_id[child].title)
    return [
        "products: %s already includes %s; WSUS ignores a child selected with its parent"
        % (parent, ", ".join(sorted(set(titles), key=str.casefold)))
        for parent, titles in sorted(children.items())
    ]
