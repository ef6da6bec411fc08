# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error family of user mistakes. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations


class DocumentError(ValueError):
    """The task's arguments (the declared document, a duration, a time zone) cannot be used as given.

    Its message is one line that says what to change, and reaches the user without a traceback. Any other
    exception that is not a WsusError is a bug in ops.wsus and is reported with its traceback. A ValueError,
    so that callers that caught ValueError keep working."""
