"""SOAP faults shaped like the ones an ASMX (System.Web.Services) endpoint returns.

[MS-WSUSAR] 3.1.4.1: an application error is a SOAP 1.1 fault whose ``<detail>`` holds
``<Exception Assembly=... Type=... Message=... />``.  ASMX prefixes ``faultstring`` with
``System.Web.Services.Protocols.SoapException: Server was unable to ... request. ---> `` and chains
inner exceptions with `` ---> ``.
"""

from __future__ import annotations

_MSCORLIB = "mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
_SYSTEM_XML = "System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
_WEB_SERVICES = "System.Web.Services, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"
_WSUS_ADMIN = (
    "Microsoft.UpdateServices.Administration, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
)

SOAP_EXCEPTION = "System.Web.Services.Protocols.SoapException"
READ_PREFIX = SOAP_EXCEPTION + ": Server was unable to read request."
PROCESS_PREFIX = SOAP_EXCEPTION + ": Server was unable to process request."

# Exception types used by the emulator (the spec's 3.1.4.1 list plus the .NET ones of Save()).
ARGUMENT = "System.ArgumentException"
ARGUMENT_NULL = "System.ArgumentNullException"
ARGUMENT_OUT_OF_RANGE = "System.ArgumentOutOfRangeException"
INVALID_OPERATION = "System.InvalidOperationException"
FORMAT = "System.FormatException"
OVERFLOW = "System.OverflowException"
XML = "System.Xml.XmlException"
UNAUTHORIZED = "System.UnauthorizedAccessException"
NOT_IMPLEMENTED = "System.NotImplementedException"
INVALID_DATA = "Microsoft.UpdateServices.Administration.WsusInvalidDataException"
NOT_FOUND = "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException"
ALREADY_EXISTS = "Microsoft.UpdateServices.Administration.WsusObjectAlreadyExistsException"


def assembly_of(exception_type: str) -> str:
    """The fully qualified assembly name that defines ``exception_type`` (best effort)."""
    if exception_type.startswith("System.Web.Services."):
        return _WEB_SERVICES
    if exception_type.startswith("System.Xml."):
        return _SYSTEM_XML
    if exception_type.startswith("System."):
        return _MSCORLIB
    if exception_type.startswith("Microsoft.UpdateServices."):
        return _WSUS_ADMIN
    return "WsusEmulator, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null"


class SoapFault(Exception):
    """A SOAP 1.1 fault: HTTP 500 with faultcode, faultstring and the <Exception> detail."""

    def __init__(self, code: str, faultstring: str, exception_type: str, message: str):
        super().__init__(faultstring)
        self.code = code  # "Client", "Server", "VersionMismatch", "MustUnderstand"
        self.faultstring = faultstring
        self.exception_type = exception_type
        self.message = message

    @property
    def assembly(self) -> str:
        return assembly_of(self.exception_type)


class RequestError(SoapFault):
    """The request could not be read (malformed XML, schema violation): a ``soap:Client`` fault.

    faultstring: ``SoapException: Server was unable to read request. ---> System.InvalidOperationException:
    There is an error in XML document (line, column). ---> <inner type>: <inner message>``.
    The detail element names the inner exception.
    """

    def __init__(self, message: str, line: int = 0, column: int = 0, inner_type: str = INVALID_OPERATION):
        self.line = line
        self.column = column
        faultstring = "%s ---> %s: There is an error in XML document (%d, %d). ---> %s: %s" % (
            READ_PREFIX,
            INVALID_OPERATION,
            line,
            column,
            inner_type,
            message,
        )
        super().__init__("Client", faultstring, inner_type, message)


class ApplicationError(SoapFault):
    """The operation ran and failed: a ``soap:Server`` fault naming the .NET exception type."""

    def __init__(self, exception_type: str, message: str):
        faultstring = "%s ---> %s: %s" % (PROCESS_PREFIX, exception_type, message)
        super().__init__("Server", faultstring, exception_type, message)


class ProtocolError(SoapFault):
    """Envelope-level problems that ASMX reports without the 'unable to read' chain."""

    def __init__(self, code: str, message: str, exception_type: str = SOAP_EXCEPTION):
        super().__init__(code, "%s: %s" % (SOAP_EXCEPTION, message), exception_type, message)


def argument_null(parameter: str) -> ApplicationError:
    return ApplicationError(ARGUMENT_NULL, "Value cannot be null. Parameter name: %s" % parameter)


def out_of_range(parameter: str, detail: str) -> ApplicationError:
    return ApplicationError(
        ARGUMENT_OUT_OF_RANGE,
        "Specified argument was out of the range of valid values. Parameter name: %s. %s" % (parameter, detail),
    )


def sync_running(operation: str) -> ApplicationError:
    return ApplicationError(INVALID_OPERATION, "%s cannot be performed while a synchronization is running." % operation)


def unauthorized(operation: str, user: str) -> ApplicationError:
    return ApplicationError(
        UNAUTHORIZED,
        "Access denied: %s requires the WSUS Administrators role; %s is a WSUS Reporter." % (operation, user),
    )


def invalid_data(message: str) -> ApplicationError:
    return ApplicationError(INVALID_DATA, message)


def not_implemented(operation: str) -> ApplicationError:
    return ApplicationError(NOT_IMPLEMENTED, "operation %s is not implemented by the WSUS emulator" % operation)
