#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: categories_info
short_description: List the products and update classifications a WSUS server offers
version_added: 0.1.0
description:
  - Lists the companies, product families and products (with their parent) and the update classifications of
    a WSUS server, each marked selected or not, filterable by title wildcard and type.
  - Use it to find the exact titles or GUIDs to declare in C(products) and C(classifications).
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes.INFO_MODULE
options:
  title:
    description: Only entries whose title matches this case-insensitive wildcard (V(*), V(?)).
    type: str
    default: "*"
  type:
    description: Only entries of these types.
    type: list
    elements: str
    choices: [company, product_family, product, classification]
    default: [company, product_family, product, classification]
  selected_only:
    description: Only entries the server synchronizes now.
    type: bool
    default: false
  parents:
    description:
      - Fill in each product's parent. This costs one call per company and product family, so it is off
        unless asked for.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Which Windows Server products can I choose?
  ops.wsus.categories_info:
    server: wsus01.corp.example
    title: "Windows Server*"
    type: [product]
  delegate_to: localhost
  register: products
"""

RETURN = r"""
products:
  description: Companies, product families and products.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The category GUID (the first of RV(products[].ids)).
      type: str
    ids:
      description:
        - Every category GUID with this title and type. WSUS publishes some products more than once under one
          title (V(Windows Server 2019) has two GUIDs); they are listed once, and declaring the title selects
          them all.
      type: list
      elements: str
    title:
      description: The title in O(culture).
      type: str
    type:
      description: V(company), V(product_family) or V(product).
      type: str
    parent:
      description: The parent's GUID (with O(parents=true)), or null.
      type: str
    selected:
      description: Whether the server synchronizes it, every GUID of RV(products[].ids) (a selected parent selects
        it too).
      type: bool
    selected_ids:
      description: The GUIDs of RV(products[].ids) that the server synchronizes (all, some or none).
      type: list
      elements: str
classifications:
  description: Update classifications.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The classification GUID.
      type: str
    title:
      description: The title in O(culture).
      type: str
    selected:
      description: Whether the server synchronizes it.
      type: bool
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
"""

import fnmatch

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._state.resolve import WSUS_TYPES
from ansible_collections.ops.wsus.plugins.module_utils._state.rules import CONTAINER_TYPES, effectively_selected
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ServerReader

ARGSPEC = dict(
    title=dict(type="str", default="*"),
    type=dict(
        type="list",
        elements="str",
        default=["company", "product_family", "product", "classification"],
        choices=["company", "product_family", "product", "classification"],
    ),
    selected_only=dict(type="bool", default=False),
    parents=dict(type="bool", default=False),
)


def _parents(reader, catalog):
    parents = {}
    for entry in catalog:
        if entry.type in CONTAINER_TYPES:
            for child in reader.subcategories(entry.id):
                parents.setdefault(child.id.lower(), entry.id.lower())
    return parents


def _same_title_groups(catalog):
    """Catalog entries grouped by (title, type), in catalog order: WSUS publishes some products twice
    under one title ("Windows Server 2019"), and a declared title selects all of them."""
    groups = {}
    for entry in catalog:
        groups.setdefault((entry.title.casefold(), entry.type), []).append(entry)
    return list(groups.values())


def run(module):
    reader = ServerReader(module.client(), module.params["culture"])
    pattern, types = module.params["title"].casefold(), module.params["type"]

    def wanted(entry):
        return fnmatch.fnmatchcase(entry.title.casefold(), pattern)

    result = {"changed": False, "products": [], "classifications": []}
    if set(types) & {"company", "product_family", "product"}:
        catalog = reader.catalog(False)
        parents = _parents(reader, catalog) if module.params["parents"] else {}
        by_id = {entry.id.lower(): entry for entry in catalog}
        selected_ids = [entry.id for entry in reader.selected(False)]
        selected = effectively_selected(selected_ids, reader.container_descendants(by_id, selected_ids))
        for group in _same_title_groups(catalog):
            first = group[0]
            kind = WSUS_TYPES.get(first.type, first.type)
            ids = [entry.id.lower() for entry in group]
            chosen = [guid for guid in ids if guid in selected]
            item = {
                "id": ids[0],
                "ids": ids,
                "title": first.title,
                "type": kind,
                "parent": parents.get(ids[0]),
                "selected": len(chosen) == len(ids),
                "selected_ids": chosen,
            }
            if kind in types and wanted(first) and (chosen or not module.params["selected_only"]):
                result["products"].append(item)
    if "classification" in types:
        chosen = {entry.id.lower() for entry in reader.selected(True)}
        for entry in reader.catalog(True):
            item = {"id": entry.id.lower(), "title": entry.title, "selected": entry.id.lower() in chosen}
            if wanted(entry) and (item["selected"] or not module.params["selected_only"]):
                result["classifications"].append(item)
    return result


def main():
    module = WsusModule(argument_spec=ARGSPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
