"""Capture the seed answers of tests/unit/wsusar/test_soap_fuzz.py from the WSUS emulator.

    .venv/bin/python tests/unit/wsusar/answers/capture.py      # rewrites tests/unit/wsusar/answers/*.xml

One emulator (stopped by its pid) answers the reads the collection makes, a synchronization's events and
progress, and a SOAP fault; each answer is written as <Operation>.xml exactly as it arrived (the fault as
<Operation>.fault.xml). The category list is cut to its first 24 rows, so that a fuzz example stays fast.
"""

from __future__ import annotations

import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests"))

import conftest  # noqa: E402,F401  (makes ansible_collections.ops.wsus importable)
from wsus_emulator.testing import EmulatorProcess  # noqa: E402

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient  # noqa: E402
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusSoapFault  # noqa: E402

ROWS_KEPT = 24


def main():
    answers = {}
    server = EmulatorProcess(["--sync-seconds", "2"])
    try:
        with WsusClient.connect(
            "127.0.0.1", port=server.port, username="WSUS\\admin", password="Passw0rd!", auth="ntlm"
        ) as client:
            post = client.transport.post

            def recording(operation, body, *args, **kwargs):
                status, data = post(operation, body, *args, **kwargs)
                name = operation + (".fault" if status == 500 else "")
                answers.setdefault(name, data)
                return status, data

            client.transport.post = recording
            client.get_server_version()
            client.get_current_user_role()
            client.get_configuration()
            client.get_languages()
            client.has_proxy_password()
            client.get_subscription()
            client.get_categories()
            client.get_categories(classifications=True)
            client.get_subscription_state()
            client.get_next_sync_time()
            client.start_sync()
            client.get_sync_progress()
            deadline = time.monotonic() + 30
            while client.get_subscription_state() != 0 and time.monotonic() < deadline:
                time.sleep(0.5)
            client.get_sync_events()
            client.get_subscription_categories()
            try:
                client.set_subscription_frequency(0)
            except WsusSoapFault:
                pass
    finally:
        server.stop()
    categories = answers["ExecuteSPGetCategories"]
    rows = re.findall(rb"<GenericReadableRow>.*?</GenericReadableRow>", categories)
    head = categories[: categories.index(b"<GenericReadableRow>")]
    tail = categories[categories.rindex(b"</GenericReadableRow>") + len(b"</GenericReadableRow>") :]
    answers["ExecuteSPGetCategories"] = head + b"".join(rows[:ROWS_KEPT]) + tail
    for name, data in sorted(answers.items()):
        with open(os.path.join(HERE, name + ".xml"), "wb") as handle:
            handle.write(data)
        print("%-55s %7d bytes" % (name + ".xml", len(data)))


if __name__ == "__main__":
    main()
