# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Marketing names admins type, and the titles WSUS gives those products. Data, for hints only.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Pure data and one lookup, no I/O.

Nothing is ever selected from this table: when a declared title matches no category, the error
message names the WSUS title(s) listed here, and the admin decides. Each row's source is in
docs/evidence.md ("Marketing names"); add a row there when you add one here.
"""

from __future__ import annotations

import re

# (WSUS titles, the names people use for them). Titles are spelled exactly as WSUS shows them.
MARKETING_NAMES = (
    (
        ("Microsoft Server operating system-21H2",),
        (
            "Windows Server 2022",
            "Server 2022",
            "WS2022",
            "Windows Server 2022 Datacenter",
            "Windows Server 2022 Standard",
            "Windows Server 21H2",
        ),
    ),
    (
        ("Microsoft Server Operating System-24H2",),
        (
            "Windows Server 2025",
            "Server 2025",
            "WS2025",
            "Windows Server 2025 Datacenter",
            "Windows Server 2025 Standard",
            "Windows Server 24H2",
        ),
    ),
    (
        ("Microsoft Server Operating System-23H2",),
        ("Windows Server 23H2", "Windows Server, version 23H2", "Windows Server version 23H2"),
    ),
    (
        ("Windows Server 2019",),
        (
            "Server 2019",
            "WS2019",
            "Windows Server 2019 Datacenter",
            "Windows Server 2019 Standard",
            "Windows Server 1809",
        ),
    ),
    (
        ("Windows Server 2016",),
        ("Server 2016", "WS2016", "Windows Server 2016 Datacenter", "Windows Server 2016 Standard"),
    ),
    (
        ("Windows 11",),
        ("Win11", "Windows 11 Pro", "Windows 11 Enterprise", "Windows 11 22H2", "Windows 11 23H2", "Windows 11 24H2"),
    ),
    (
        ("Windows 10, version 1903 and later",),
        (
            "Win10",
            "Windows 10 Pro",
            "Windows 10 Enterprise",
            "Windows 10 21H2",
            "Windows 10 22H2",
            "Windows 10 version 1903 and later",
        ),
    ),
    (
        ("Microsoft 365 Apps/Office 2019/Office LTSC",),
        (
            "Microsoft 365 Apps",
            "Microsoft 365 Apps for enterprise",
            "Microsoft 365",
            "Office 365",
            "Office 365 ProPlus",
            "Office 2019",
            "Office 2021",
            "Office 2024",
            "Office LTSC",
            "Office LTSC 2021",
            "Office LTSC 2024",
        ),
    ),
    (
        ("Microsoft Defender Antivirus",),
        (
            "Defender",
            "Windows Defender",
            "Microsoft Defender",
            "Windows Defender Antivirus",
            "Microsoft Defender for Endpoint",
            "Defender Antivirus",
        ),
    ),
    (("Microsoft Edge",), ("Edge", "Edge Chromium", "Microsoft Edge Chromium")),
) + tuple(
    (("Microsoft SQL Server %s" % version,), ("SQL Server %s" % version, "SQL %s" % version, "MSSQL %s" % version))
    for version in ("2012", "2014", "2016", "2017", "2019", "2022")
)


def _key(name):
    """Case, punctuation and spacing do not matter: "windows server, 2022" is "Windows Server 2022"."""
    return re.sub(r"[^0-9a-z]+", " ", name.casefold()).strip()


_BY_NAME: dict = {}
for _titles, _names in MARKETING_NAMES:
    for _name in _names:
        _BY_NAME.setdefault(_key(_name), _titles)


def wsus_titles_for(name):
    """The WSUS titles for a marketing name, or () when the table does not know it."""
    return _BY_NAME.get(_key(name), ())
