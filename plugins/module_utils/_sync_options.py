# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply and read the sync options of a server: reads what the declared sections need (each call at
most once), plans and checks with the pure functions of ``_state`` (``plan``, ``rules``), and writes.
No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

from ._state import plan as planner
from ._state import rules
from ._state.document import CONFIGURATION_SECTIONS, SECTIONS, SUBSCRIPTION_SECTIONS, normalize
from ._state.read import read_document
from ._state.resolve import resolve
from ._wsusar.errors import WsusError, WsusPermissionError, WsusSoapFault


class ApplyError(WsusError):
    """A write failed; the message says what was applied and what was not."""


class ServerReader:
    """Lazy, memoized reads of one server: every SOAP call happens at most once per task."""

    def __init__(self, client, culture="en"):
        self.client = client
        self.culture = culture
        self._cache = {}

    def _once(self, key, fetch):
        if key not in self._cache:
            self._cache[key] = fetch()
        return self._cache[key]

    def configuration(self):
        return self._once("configuration", self.client.get_configuration)

    def languages(self):
        return self._once("languages", self.client.get_languages)

    def has_proxy_password(self):
        return self._once("has_proxy_password", self.client.has_proxy_password)

    def subscription(self):
        return self._once("subscription", self.client.get_subscription)

    def selected(self, classifications):
        return self._once(("selected", classifications), lambda: self.client.get_subscription_categories(
            self.culture, classifications))

    def catalog(self, classifications):
        return self._once(("catalog", classifications), lambda: self.client.get_categories(
            self.culture, classifications))

    def subcategories(self, category_id):
        # One key per category whatever the case of the GUID, so that no caller asks twice.
        return self._once(("subcategories", category_id.lower()), lambda: self.client.get_subcategories(
            category_id, self.culture))

    def descendants(self, category_id):
        """Everything under a company or product family, at any depth: child GUID -> its parent's GUID.

        Only companies and product families are expanded (a product has no children worth a call), so
        a product family costs one call and a company one call per family under it.
        """
        found, pending = {}, [category_id.lower()]
        while pending:
            parent = pending.pop()
            for child in self.subcategories(parent):
                guid = child.id.lower()
                if guid not in found:
                    found[guid] = parent
                    if child.type in rules.CONTAINER_TYPES:
                        pending.append(guid)
        return found

    def container_descendants(self, by_id, guids):
        """``descendants`` of each company and product family among ``guids`` (``by_id``: the catalog)."""
        return {guid: self.descendants(guid) for guid in rules.containers_among(by_id, guids)}


def ensure_sync_options(client, raw_document, check_mode=False, culture="en", user_name=None, now=None):
    """Make the server match the declared sections: ``(changed, result)`` in amazon.aws style.

    ``result`` has ``changes``, ``diff``, ``warnings`` and ``applied`` (what was written).
    """
    desired = normalize(raw_document)
    reader = ServerReader(client, culture)
    plan = plan_all(reader, desired, now)
    applied = [] if check_mode or not plan.changed else apply_plan(client, reader, plan, user_name)
    return plan.changed, {"changes": plan.changes, "diff": plan.diff(), "warnings": plan.warnings,
                          "applied": applied, "declared": [section for section in SECTIONS if section in desired]}


def plan_all(reader, desired, now=None):
    plans = []
    if any(section in desired for section in CONFIGURATION_SECTIONS):
        plans.append(planner.plan_configuration(
            desired, reader.configuration(),
            reader.languages() if "languages" in desired else None,
            reader.has_proxy_password() if "password" in desired.get("proxy", {}) else None))
    if any(section in desired for section in SUBSCRIPTION_SECTIONS):
        plans.append(_plan_subscription(reader, desired, now))
    plan = planner.merge(*plans)
    if rules.declares_downstream_sections(desired):
        plan.warnings += rules.downstream_warnings(desired, plan.config_row or reader.configuration())
    if plan.category_ids is not None:
        catalog = reader.catalog(False)
        by_id = {entry.id.lower(): entry for entry in catalog}
        plan.warnings += rules.overlap_warnings(plan.category_ids, catalog,
                                                reader.container_descendants(by_id, plan.category_ids))
    return plan


def _plan_subscription(reader, desired, now):
    if rules.declares_selection(desired):
        rules.refuse_selection_on_replica(desired, None if rules.declares_replica(desired) else reader.configuration())
    wanted_products, selected_products, product_catalog = _selection(reader, desired, "products", False)
    wanted_classifications, selected_classifications, classification_catalog = _selection(
        reader, desired, "classifications", True)
    return planner.plan_subscription(
        desired, reader.subscription(), selected_products=selected_products,
        selected_classifications=selected_classifications, wanted_products=wanted_products,
        wanted_classifications=wanted_classifications, product_catalog=product_catalog,
        classification_catalog=classification_catalog, now=now)


def _selection(reader, desired, section, classifications):
    """(declared GUIDs, the server's selected GUIDs, catalog) of products or classifications, in that order of
    reads; ``(None, None, ())`` when the section is not declared."""
    if section not in desired:
        return None, None, ()
    catalog = reader.catalog(classifications)
    wanted = resolve(desired[section], catalog, section)
    return wanted, [entry.id for entry in reader.selected(classifications)], catalog


def apply_plan(client, reader, plan, user_name):
    """Write in a fixed order, configuration first; on failure say what was and wasn't applied."""
    steps = []
    if plan.configuration_changed:
        steps.append(("configuration", lambda: client.set_configuration(
            plan.config_row, plan.enable_languages, plan.disable_languages)))
    if plan.set_proxy_password:
        steps.append(("proxy password", lambda: client.set_proxy_password(plan.proxy_password)))
    if plan.subscription_changed:
        steps.append(("subscription", lambda: _write_subscription(client, reader, plan, user_name)))
    applied = []
    for index, (name, write) in enumerate(steps):
        try:
            write()
        except WsusError as exc:
            # A write whose answer was lost (connection dropped, timeout) may have been applied: say so
            # rather than list it as not applied.
            unknown = [name] if getattr(exc, "outcome_unknown", False) else []
            not_applied = [step for step, dummy in steps[index + len(unknown):]]
            raise ApplyError(_partial_message(exc, applied, not_applied, unknown), exc.operation) from None
        applied.append(name)
    return applied


def _write_subscription(client, reader, plan, user_name):
    # SetSubscription replaces both lists: re-send the one the user did not change.
    categories = plan.category_ids
    if categories is None:
        categories = [entry.id for entry in reader.selected(False)]
    classifications = plan.classification_ids
    if classifications is None:
        classifications = [entry.id for entry in reader.selected(True)]
    client.set_subscription(plan.subscription_row, categories, classifications, user_name or "ops.wsus")


def _partial_message(exc, applied, not_applied, unknown=()):
    # What to do next: a plain rerun, unless the same rerun would fail the same way.
    rerun = "Running the task again applies the rest."
    if isinstance(exc, WsusSoapFault) and exc.short_type == "InvalidOperationException" \
            and "synchroniz" in (exc.exception_message or exc.message).lower():
        rerun = "A synchronization is running and WSUS refuses changes until it ends: wait for it " \
                "(ops.wsus.sync state=completed) or stop it (state=stopped), then run the task again."
    elif isinstance(exc, WsusPermissionError):
        rerun = "Run the task again with an account in WSUS Administrators to apply the rest."
    maybe = " Not known whether applied: %s." % ", ".join(unknown) if unknown else ""
    return "%s. Applied: %s.%s Not applied: %s. %s" % (
        exc.message.rstrip("."), ", ".join(applied) or "nothing", maybe, ", ".join(not_applied) or "nothing",
        rerun)


def read_sync_options(reader, timezone="UTC", now=None):
    """The server's settings in exactly the document's shape (every section)."""
    return read_document(
        config=reader.configuration(), languages=reader.languages(), subscription=reader.subscription(),
        products=reader.selected(False), classifications=reader.selected(True),
        product_catalog=reader.catalog(False), classification_catalog=reader.catalog(True),
        timezone=timezone, now=now)
