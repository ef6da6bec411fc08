"""SOAP faults as the client raises them, for the fakes that stand in for a WSUS server in unit tests."""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusSoapFault


def invalid_operation(operation, message):
    """What WSUS's InvalidOperationException (a sync running, a save in progress) looks like to the client."""
    return WsusSoapFault(
        "WSUS rejected %s: InvalidOperationException: %s" % (operation, message),
        operation,
        "soap:Server",
        "... ---> System.InvalidOperationException: " + message,
        "System.InvalidOperationException",
        message,
    )
