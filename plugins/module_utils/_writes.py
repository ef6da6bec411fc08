# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a task's writes in order and, when one fails, say what was and was not applied. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Used by ``sync_options`` and ``notifications``
so that a partial apply reads the same in both.
"""

from __future__ import annotations

from ._wsusar.errors import WsusError, WsusPermissionError


class ApplyError(WsusError):
    """A write failed; the message says what was applied and what was not."""


def run_writes(steps, wanted=None, rerun_hint=None):
    """Run ``steps`` ((name, write) pairs) in order; the names of the writes made.

    ``write()`` returns False when it found nothing left to write (not listed as applied). ``wanted(name)``,
    when given, is asked just before each step and, on a failure, for the later ones: a write may re-plan
    what follows. A WsusError becomes an ``ApplyError`` built by ``partial_message``."""
    applied: list = []
    for index, (name, write) in enumerate(steps):
        if wanted is not None and not wanted(name):
            continue
        try:
            written = write()
        except WsusError as exc:
            # A write whose answer was lost (connection dropped, timeout) may have been applied: say so
            # rather than list it as not applied.
            unknown = [name] if getattr(exc, "outcome_unknown", False) else []
            not_applied = [] if unknown else [name]
            not_applied += [later for later, dummy in steps[index + 1 :] if wanted is None or wanted(later)]
            raise ApplyError(partial_message(exc, applied, not_applied, unknown, rerun_hint), exc.operation) from None
        if written is not False:
            applied.append(name)
    return applied


def partial_message(exc, applied, not_applied, unknown=(), rerun_hint=None):
    """The error of a partial apply: the failure, what was applied, not known, not applied, what to do next.

    ``rerun_hint(exc)``: the caller's advice for a failure a plain rerun would repeat (or None)."""
    rerun = (rerun_hint(exc) if rerun_hint else None) or _default_hint(exc)
    maybe = " Not known whether applied: %s." % ", ".join(unknown) if unknown else ""
    return "%s. Applied: %s.%s Not applied: %s. %s" % (
        exc.message.rstrip("."),
        ", ".join(applied) or "nothing",
        maybe,
        ", ".join(not_applied) or "nothing",
        rerun,
    )


def _default_hint(exc):
    if isinstance(exc, WsusPermissionError):
        return "Run the task again with an account in WSUS Administrators to apply the rest."
    return "Running the task again applies the rest."
