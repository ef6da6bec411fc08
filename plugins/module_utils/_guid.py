# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GUID pattern, once: the SOAP codec, the resolver of the document and the validator's messages
use it, and a unit test checks that the schema's ``$defs.guid`` pattern is this string.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

import re

# 32 hexadecimal digits in groups 8-4-4-4-12, without braces (schemas/wsus_sync.schema.json $defs.guid).
GUID_PATTERN = "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
GUID_RE = re.compile(GUID_PATTERN)
# Guid.Empty: the parentServerId meaning "this server", and a ParentId meaning "no parent".
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
