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
from ._state.errors import DocumentError
from ._state.read import read_document
from ._state.resolve import resolve
from ._writes import run_writes
from ._wsusar.errors import WsusError, WsusSoapFault


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

    def forget(self, *names):
        """Drop memoized reads so that the next call asks the server again (before and after a write):
        ``configuration``, ``languages``, ``has_proxy_password``, ``subscription``, ``selected`` (both lists)
        or ``("selected", classifications)`` (one)."""
        for name in names:
            keys = (
                [key for key in self._cache if isinstance(key, tuple) and key[0] == name]
                if name == "selected"
                else [name]
            )
            for key in keys:
                self._cache.pop(key, None)

    def configuration(self):
        return self._once("configuration", self.client.get_configuration)

    def languages(self):
        return self._once("languages", self.client.get_languages)

    def has_proxy_password(self):
        return self._once("has_proxy_password", self.client.has_proxy_password)

    def subscription(self):
        return self._once("subscription", self.client.get_subscription)

    def selected(self, classifications):
        return self._once(
            ("selected", classifications),
            lambda: self.client.get_subscription_categories(self.culture, classifications),
        )

    def catalog(self, classifications):
        return self._once(
            ("catalog", classifications), lambda: self.client.get_categories(self.culture, classifications)
        )

    def subcategories(self, category_id):
        # One key per category whatever the case of the GUID, so that no caller asks twice.
        return self._once(
            ("subcategories", category_id.lower()), lambda: self.client.get_subcategories(category_id, self.culture)
        )

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

    ``result`` has ``changes``, ``diff``, ``warnings``, ``dst_note`` (when a daylight saving change will move
    ``schedule.time``, or None), ``applied`` (what was written) and ``conflicts`` (what
    other writers changed while the task ran, and what the task did about it). When a write had to be
    planned again, ``changes`` and ``diff`` are those of the plan that was written.
    """
    desired = normalize(raw_document)
    reader = ServerReader(client, culture)
    plan = plan_all(reader, desired, now)
    applied, conflicts, warnings = [], [], []
    if not check_mode and plan.changed:
        writer = Writer(client, reader, plan, desired, user_name, now)
        applied = writer.apply()
        plan, conflicts, warnings = writer.plan, writer.conflicts, writer.warnings
    changed = plan.changed if check_mode else bool(applied)
    return changed, {
        "changes": plan.changes,
        "diff": plan.diff(),
        "warnings": plan.warnings + warnings,
        "dst_note": plan.dst_note,
        "applied": applied,
        "conflicts": conflicts,
        "declared": [section for section in SECTIONS if section in desired],
    }


def plan_all(reader, desired, now=None):
    """The plan of every declared section. ``plan.parts`` keeps the configuration and subscription plans it
    was merged from, so that a write can plan its own part again from a fresh read."""
    configuration = _plan_configuration(reader, desired)
    subscription = (
        _plan_subscription(reader, desired, now)
        if any(section in desired for section in SUBSCRIPTION_SECTIONS)
        else None
    )
    return _combine(reader, desired, configuration, subscription)


def _plan_configuration(reader, desired):
    if not any(section in desired for section in CONFIGURATION_SECTIONS):
        return None
    return planner.plan_configuration(
        desired,
        reader.configuration(),
        reader.languages() if "languages" in desired else None,
        reader.has_proxy_password() if "password" in desired.get("proxy", {}) else None,
    )


def _combine(reader, desired, configuration, subscription):
    plan = planner.merge(*[part for part in (configuration, subscription) if part is not None])
    plan.parts = {"configuration": configuration, "subscription": subscription}
    if rules.declares_downstream_sections(desired):
        plan.warnings += rules.downstream_warnings(desired, plan.config_row or reader.configuration())
    if plan.category_ids is not None:
        catalog = reader.catalog(False)
        by_id = {entry.id.lower(): entry for entry in catalog}
        plan.warnings += rules.overlap_warnings(
            plan.category_ids, catalog, reader.container_descendants(by_id, plan.category_ids)
        )
    return plan


def _plan_subscription(reader, desired, now):
    if rules.declares_selection(desired):
        rules.refuse_selection_on_replica(desired, None if rules.declares_replica(desired) else reader.configuration())
    wanted_products, selected_products, product_catalog = _selection(reader, desired, "products", False)
    wanted_classifications, selected_classifications, classification_catalog = _selection(
        reader, desired, "classifications", True
    )
    return planner.plan_subscription(
        desired,
        reader.subscription(),
        selected_products=selected_products,
        selected_classifications=selected_classifications,
        wanted_products=wanted_products,
        wanted_classifications=wanted_classifications,
        product_catalog=product_catalog,
        classification_catalog=classification_catalog,
        now=now,
    )


def _selection(reader, desired, section, classifications):
    """(declared GUIDs, the server's selected GUIDs, catalog) of products or classifications, in that order of
    reads; ``(None, None, ())`` when the section is not declared."""
    if section not in desired:
        return None, None, ()
    catalog = reader.catalog(classifications)
    wanted = resolve(desired[section], catalog, section)
    return wanted, [entry.id for entry in reader.selected(classifications)], catalog


# How many times a configuration write is tried when WSUS refuses it because another writer saved the
# configuration after it was read (each try on a fresh read).
CONFIGURATION_ATTEMPTS = 3
WRITE_ORDER = ("configuration", "proxy password", "subscription")
# The subscription reads: the row and both lists (SetSubscription replaces all three).
SUBSCRIPTION_READS = ("subscription", ("selected", False), ("selected", True))


class ConfigurationConflictError(WsusError):
    """WSUS refused every configuration write because another writer kept saving the configuration."""


def apply_plan(client, reader, plan, user_name, desired, now=None):
    """Write ``plan`` (from ``plan_all(reader, desired, now)``); the list of writes made. See ``Writer``."""
    return Writer(client, reader, plan, desired, user_name, now).apply()


class Writer:
    """Writes a plan in a fixed order, configuration first, so that no change another writer saved while the
    task ran is silently reverted:

    - configuration: sent with ``detectConfigChange`` and the change number that was read, so WSUS refuses
      a write based on a stale read. A refusal is recognised by reading the configuration again (the fault
      WSUS sends is not specified): if its change number moved, the section is planned again on that read
      and written again, at most ``CONFIGURATION_ATTEMPTS`` times; otherwise the fault is raised.
    - subscription (no change number exists): planned again from a read made right before SetSubscription,
      then the declared parts are read back. A difference means someone saved in between: the subscription
      is planned again on a fresh read and written once more (only once: no fight), then read back, and a
      warning names the fields (and those still different).

    ``plan`` ends as the plan that was written; ``conflicts`` lists what other writers did and what the
    writer did about it. A line is also in ``warnings`` when the plan written is not the one first reported
    (what check mode and the diff showed) or when a read-back differed. On a failure ``ApplyError`` says
    what was and wasn't applied.
    """

    def __init__(self, client, reader, plan, desired, user_name, now=None):
        self.client = client
        self.reader = reader
        self.plan = plan
        self.desired = desired
        self.user_name = user_name or "ops.wsus"
        self.now = now
        self.configuration = plan.parts["configuration"]
        self.subscription = plan.parts["subscription"]
        self.conflicts = []
        self.warnings = []

    # ------------------------------------------------------------------ order and failures

    def _wanted(self, step):
        if step == "configuration":
            return self.configuration is not None and self.configuration.configuration_changed
        if step == "proxy password":
            return self.configuration is not None and self.configuration.set_proxy_password
        return self.subscription is not None and self.subscription.subscription_changed

    def apply(self):
        writes = {
            "configuration": self._write_configuration,
            "proxy password": self._write_proxy_password,
            "subscription": self._write_subscription,
        }
        steps = [(step, self._guarded(writes[step])) for step in WRITE_ORDER]
        return run_writes(steps, wanted=self._wanted, rerun_hint=_sync_hint)

    @staticmethod
    def _guarded(write):
        def guarded():
            try:
                return write()
            except DocumentError as error:  # a plan made again on what another writer saved meanwhile
                raise WsusError(
                    "another writer changed the server while this task ran, and the document "
                    "cannot be applied to what it saved: %s" % error
                ) from None

        return guarded

    def _replanned(self, part, new):
        """Record the new plan of ``part`` and rebuild the merged plan (no server call: all cached)."""
        setattr(self, part, new)
        self.plan = _combine(self.reader, self.desired, self.configuration, self.subscription)

    def _conflict(self, line, first_changes=None, new_changes=None):
        """A line of ``conflicts``; a warning too when the plan written is not the one first reported."""
        if first_changes is not None and new_changes != first_changes:
            line += (
                "; the changes now differ from what the first read gave (and check mode or the diff "
                "showed): [%s], now [%s]" % (_changes_text(first_changes), _changes_text(new_changes))
            )
            self.warnings.append(line)
        self.conflicts.append(line)

    # ------------------------------------------------------------------ configuration

    def _write_configuration(self):
        first_changes = list(self.configuration.changes)
        for attempt in range(1, CONFIGURATION_ATTEMPTS + 1):
            part = self.configuration
            sent = part.config_row.raw("configurationChangeNumber")
            try:
                self.client.set_configuration(part.config_row, part.enable_languages, part.disable_languages)
                return True
            except WsusSoapFault:
                current = self._configuration_change_number()
                if current is None or current == sent:
                    raise  # not a conflict: the change number did not move (or cannot be read)
                if attempt == CONFIGURATION_ATTEMPTS:
                    raise ConfigurationConflictError(
                        "WSUS refused the configuration write %d times because another writer saved the "
                        "configuration each time after this task read it (configurationChangeNumber now %s; "
                        "detectConfigChange); nothing of the configuration was written"
                        % (CONFIGURATION_ATTEMPTS, current),
                        "ExecuteSPSetConfiguration",
                    ) from None
            self.reader.forget("languages", "has_proxy_password")  # the configuration was just read again
            self._replanned("configuration", _plan_configuration(self.reader, self.desired))
            line = (
                "configuration: WSUS refused the write because another writer saved the configuration after "
                "this task read it (configurationChangeNumber %s, now %s); read it again and planned again: "
                % (sent, current)
            )
            if self.configuration.configuration_changed:
                line += "writing it again (write %d of at most %d)" % (attempt + 1, CONFIGURATION_ATTEMPTS)
            else:
                line += "nothing is left to write"
            self._conflict(line, first_changes, self.configuration.changes)
            if not self.configuration.configuration_changed:
                return False
        return False  # not reached: the last attempt returns or raises

    def _configuration_change_number(self):
        """After a refused write: the server's change number now (read again, and kept for the new plan), or
        None when that read fails too (then the original fault is what the user needs to see)."""
        self.reader.forget("configuration")
        try:
            return self.reader.configuration().raw("configurationChangeNumber")
        except WsusError:
            self.reader.forget("configuration")
            return None

    def _write_proxy_password(self):
        self.client.set_proxy_password(self.configuration.proxy_password)
        return True

    # ------------------------------------------------------------------ subscription

    def _write_subscription(self):
        first_changes = list(self.subscription.changes)
        self.reader.forget(*SUBSCRIPTION_READS)
        self._replanned("subscription", _plan_subscription(self.reader, self.desired, self.now))
        if self.subscription.changes != first_changes:
            line = (
                "subscription: changed by another writer after this task read it; planned again on a read "
                "made right before SetSubscription: %s"
                % ("writing it" if self.subscription.subscription_changed else "nothing is left to write")
            )
            self._conflict(line, first_changes, self.subscription.changes)
        if not self.subscription.subscription_changed:
            return False
        self._set_subscription(self.subscription)
        check = self._read_back()
        if check is None or not check.subscription_changed:
            return True
        # Someone saved the subscription between this write and the read-back: write once more, planned on the
        # declared parts just read back and the rest read again (so that it is sent as it is now).
        fields = _fields_of(check.changes)
        self.reader.forget(*[key for key in SUBSCRIPTION_READS if key not in _declared_reads(self.desired)])
        again = _plan_subscription(self.reader, self.desired, self.now)
        line = (
            "subscription: %s read back different right after SetSubscription (another writer saved the "
            "subscription in between); written once more on a fresh read" % ", ".join(fields)
        )
        if again.subscription_changed:
            self._set_subscription(again)
            check = self._read_back()
            if check is not None and check.subscription_changed:
                line += (
                    ", and still different when read back again (%s): left as the other writer saved it"
                    % ", ".join(_fields_of(check.changes))
                )
        self.conflicts.append(line)
        self.warnings.append(line)
        return True

    def _set_subscription(self, part):
        # SetSubscription replaces both lists: re-send the one the document does not change, as just read.
        categories = part.category_ids
        if categories is None:
            categories = [entry.id for entry in self.reader.selected(False)]
        classifications = part.classification_ids
        if classifications is None:
            classifications = [entry.id for entry in self.reader.selected(True)]
        self.client.set_subscription(part.subscription_row, categories, classifications, self.user_name)

    def _read_back(self):
        """Read the declared parts back and plan on them: a plan with changes when they differ from the
        document. None when the read fails: the write itself was answered, so that is only a warning."""
        self.reader.forget(*_declared_reads(self.desired))
        try:
            return _plan_subscription(self.reader, self.desired, self.now)
        except WsusError as error:
            self.warnings.append("subscription: written, but reading it back to check it failed: %s" % error)
            return None


def _declared_reads(desired):
    """The subscription reads that hold declared parts (what a read-back reads)."""
    return [
        key
        for key, section in zip(SUBSCRIPTION_READS, ("schedule", "products", "classifications"))
        if section in desired
    ]


def _fields_of(changes):
    """``products``, ``schedule.per_day``: the fields named by change lines."""
    fields = []
    for line in changes:
        field = line.split(":", 1)[0]
        if field not in fields:
            fields.append(field)
    return fields


def _changes_text(changes):
    return "; ".join(changes) if changes else "no change"


def _sync_hint(exc):
    """What to do when WSUS refused a write because a synchronization runs: a plain rerun would fail the same
    way. Only for the sync options' writes, the ones this advice was written for (a synchronization locks
    them); the e-mail notifications make no such claim."""
    if (
        isinstance(exc, WsusSoapFault)
        and exc.short_type == "InvalidOperationException"
        and "synchroniz" in (exc.exception_message or exc.message).lower()
    ):
        return (
            "A synchronization is running and WSUS refuses changes until it ends: wait for it "
            "(ops.wsus.sync state=completed) or stop it (state=stopped), then run the task again."
        )
    return None


def read_sync_options(reader, timezone="UTC", now=None):
    """The server's settings in exactly the document's shape (every section)."""
    return read_document(
        config=reader.configuration(),
        languages=reader.languages(),
        subscription=reader.subscription(),
        products=reader.selected(False),
        classifications=reader.selected(True),
        product_catalog=reader.catalog(False),
        classification_catalog=reader.catalog(True),
        timezone=timezone,
        now=now,
    )
