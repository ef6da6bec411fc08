"""The implemented [MS-WSUSAR] operations: request parameters in, result values (for soap.Writer) out."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from . import faults
from .catalog import Item
from .hierarchy import Member
from .schema import OPERATIONS
from .soap import AnyValue, Guid, parse_datetime
from .state import ServerState

ROLE_NONE = 0
ROLE_REPORTER = 1
ROLE_ADMINISTRATOR = 2
ROLE_NAMES = {"none": ROLE_NONE, "reporter": ROLE_REPORTER, "administrator": ROLE_ADMINISTRATOR}

SERVER_VERSION = "10.0.20348.1"
PROTOCOL_VERSION = "1.20"
NIL_GUID = "00000000-0000-0000-0000-000000000000"
# A Windows Internal Database install (the default of a WSUS role on Windows Server 2012 and later):
# SUSDB on the WID instance, which is also the instance setup installed.
DATABASE_CONFIGURATION = {
    "serverName": "MICROSOFT##WID",
    "databaseName": "SUSDB",
    "wmsdeInstanceName": "MICROSOFT##WID",
}


def rows(values: List[list]) -> Dict:
    """ArrayOfGenericReadableRow from lists of column values."""
    return {"GenericReadableRow": [row(value) for value in values]}


def row(values: Optional[list]) -> Optional[Dict]:
    if values is None:
        return None
    return {"Values": {"anyType": list(values)}}


class Caller:
    """Who is calling: the authenticated principal and its WSUS role."""

    def __init__(self, principal: str, role: int):
        self.principal = principal
        self.role = role


class Service:
    """Runs one operation against a ServerState (the caller holds ``state.lock``)."""

    def __init__(self, state: ServerState, member: Member):
        self.state = state
        self.catalog = state.catalog
        self.handlers: Dict[str, Callable] = {name: getattr(self, "op_" + name) for name in OPERATIONS}
        # This server among the servers of its process: name, version, the downstream servers registered here.
        self.member = member

    def call(self, name: str, params: Dict, caller: Caller):
        operation = OPERATIONS[name]
        if operation.write and caller.role < ROLE_ADMINISTRATOR:
            raise faults.unauthorized(name, caller.principal)
        self.state.advance()
        return self.handlers[name](params, caller)

    # ------------------------------------------------------------------------------------ identity
    def op_GetServerVersion(self, params, caller):
        return self.member.version

    def op_GetServerProtocolVersion(self, params, caller):
        return PROTOCOL_VERSION

    def op_GetCurrentUserRole(self, params, caller):
        return caller.role

    # ------------------------------------------------------------------------------------ console reads
    # What a console calls when it opens a server, answered as an empty, healthy server would. The
    # sources and grades of each value are in GUIDE.md "Console reads".
    def op_ExecuteSPGetComputerCount(self, params, caller):
        return 0  # no client computer has ever reported, whatever the scope

    def op_ExecuteSPGetUpdateCount(self, params, caller):
        # no updates but those the runs brought (control setting new_updates_per_sync, 0 by default); the
        # scope is not parsed
        return self.state.updates_synchronized

    def op_GetDatabaseConfiguration(self, params, caller):
        return dict(DATABASE_CONFIGURATION)

    def op_ExecuteSPGetContentDownloadProgress(self, params, caller):
        # [bytes downloaded, bytes still to download]: none unless the control API queued some (/_emulator/content)
        downloaded, pending = self.state.download_progress()
        return row([AnyValue("long", downloaded), AnyValue("long", pending)])

    def op_ExecuteSPGetComponentsWithErrors(self, params, caller):
        return {"string": list(self.state.component_errors)}  # none unless injected (/_emulator/content)

    def op_ExecuteSPGetFailedToDownloadUpdatesCount(self, params, caller):
        return self.state.failed_downloads  # 0 unless injected (/_emulator/content)

    # ------------------------------------------------------------------------------------ configuration
    def op_ExecuteSPGetConfiguration(self, params, caller):
        return {
            "Configuration": dict(self.state.config),
            "GroupAuthorization": {"GroupAuthorizationTableRow": []},
            "Authorization": {"AuthorizationPlugInTableRow": []},
        }

    def op_ExecuteSPSetConfiguration(self, params, caller):
        self.state.set_configuration(
            params.get("row"),
            params.get("listTrue"),
            params.get("listFalse"),
            params.get("ussListTrue"),
            params.get("ussListFalse"),
            params.get("programKeys"),
        )
        self.state.configuration_saved()  # a start is refused for --save-seconds

    def op_HasProxyPassword(self, params, caller):
        return self.state.proxy_password_sha256 is not None

    def op_SetProxyPassword(self, params, caller):
        self.state.set_proxy_password(params.get("passwordBytes"))

    def op_ExecuteSPGetAllLanguagesWithEnabledState(self, params, caller):
        return rows(self.state.language_table())

    # ------------------------------------------------------------------------------------ e-mail (mail.py)
    def op_ExecuteSPGetEmailNotificationConfiguration(self, params, caller):
        return self.state.email.get_row()

    def op_ExecuteSPSetEmailNotificationConfiguration(self, params, caller):
        self.state.email.set_row(params.get("setting"))
        self.state.save()

    def op_ExecuteSPGetEmailNotificationRecipients(self, params, caller):
        return self.state.email.get_recipients(params["value"])

    def op_ExecuteSPSetEmailNotificationRecipients(self, params, caller):
        self.state.email.set_recipients(params.get("recipients"), params["notificationType"])
        self.state.save()

    def op_HasSmtpUserPassword(self, params, caller):
        return self.state.email.password is not None

    def op_SetSmtpUserPassword(self, params, caller):
        self.state.email.set_password(params.get("passwordBytes"))
        self.state.save()

    def op_SendTestEmail(self, params, caller):
        self.state.email.send_test(params, self.state.lock, self.member.name)

    # ------------------------------------------------------------------------------------ subscription
    def op_GetSubscription(self, params, caller):
        return dict(self.state.subscription)

    def op_SetSubscription(self, params, caller):
        self.state.set_subscription(
            params.get("subscription"),
            params.get("categoryIds"),
            params.get("updateClassificationIds"),
            params.get("userName"),
        )

    def op_SetSubscriptionFrequency(self, params, caller):
        self.state.set_frequency(params["numberOfSynchronizationsPerDay"], caller.principal)

    def op_GetSubscriptionNextSynchronizationTime(self, params, caller):
        return self.state.next_synchronization_time()

    def op_GetSubscriptionCategories(self, params, caller):
        culture = params.get("preferredCulture")
        if params["retrieveUpdateClassifications"]:
            items = [self.catalog.classification(guid) for guid in self.state.classifications]
        else:
            items = [self.catalog.category(guid) for guid in self.state.categories]
        return self._rows([item for item in items if item is not None], culture)

    # ------------------------------------------------------------------------------------ catalog
    def _rows(self, items: List[Item], culture: Optional[str]) -> Dict:
        arrival = self.state.created
        return rows([item.row(culture, arrival) for item in items])

    def op_ExecuteSPGetCategories(self, params, caller):
        low, high = params["fromSyncDate"], params["toSyncDate"]
        arrival = self.state.created
        if not low <= arrival <= high:
            return rows([])
        items = self.catalog.classifications if params["retrieveUpdateClassifications"] else self.catalog.categories
        return self._rows(items, params.get("preferredCulture"))

    def op_ExecuteSPGetTopLevelCategories(self, params, caller):
        return self._rows(self.catalog.top_level(), params.get("preferredCulture"))

    def op_ExecuteSPGetSubcategories(self, params, caller):
        return self._rows(self.catalog.subcategories(params["categoryId"]), params.get("preferredCulture"))

    def op_ExecuteSPGetCategoryById(self, params, caller):
        guid = params["id"]
        if params["retrieveUpdateClassification"]:
            item = self.catalog.classification(guid)
            what = "update classification"
        else:
            item = self.catalog.category(guid)
            what = "update category"
        if item is None:
            raise faults.ApplicationError(faults.NOT_FOUND, "The %s %s was not found on this server." % (what, guid))
        return row(item.row(params.get("preferredCulture"), self.state.created))

    # ------------------------------------------------------------------------------------ synchronization
    def op_GetSubscriptionState(self, params, caller):
        return self.state.subscription_state()

    def op_GetServerSyncProgress(self, params, caller):
        phase, total, processed = self.state.sync_progress()
        return rows([[phase, total, processed]])

    def op_StartSubscriptionManually(self, params, caller):
        self.state.start_sync(False, caller.principal, operation="StartSubscriptionManually")

    def op_StartSubscriptionManuallyForCategoryOnly(self, params, caller):
        self.state.start_sync(True, caller.principal, operation="StartSubscriptionManuallyForCategoryOnly")

    def op_StopSubscription(self, params, caller):
        self.state.stop_sync()

    def op_ExecuteSPGetAllDownstreamServers(self, params, caller):
        # the downstream servers of this process registered here when they synchronized (hierarchy.py)
        return rows(self.member.downstream_rows(params["parentServerId"], params["includeNestedChildren"]))

    def op_ExecuteSPSearchEventHistory(self, params, caller):
        event_filter = params.get("eventHistoryFilter")
        if event_filter is None:
            raise faults.argument_null("eventHistoryFilter")
        result = []
        for event in self.state.search_events(event_filter):
            when = parse_datetime(event["time"])
            result.append(
                {
                    "EventInstanceId": event["event_instance_id"],
                    "EventId": event["event_id"],
                    "NamespaceId": event["namespace_id"],
                    "SourceId": event["source_id"],
                    "TimeAtTarget": when,
                    "TimeAtServer": when,
                    "StateId": 0,
                    "SeverityId": event["severity_id"],
                    "Win32HResult": event["win32_hresult"],
                    "MessageTemplate": event["message"],
                    "ComputerId": None,
                    "AppName": "WSUS",
                    "MiscData": {"string": []},
                    "ReplacementStrings": {"string": list(event["replacement_strings"])},
                    "UpdateId": NIL_GUID,
                    "RevisionNumber": 0,
                    "DeviceId": None,
                }
            )
        return {"EventHistoryTableRow": result}


__all__ = ["Caller", "Guid", "ROLE_ADMINISTRATOR", "ROLE_NAMES", "ROLE_NONE", "ROLE_REPORTER", "Service"]
