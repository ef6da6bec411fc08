"""The emulator's own schema table: operations, their parameters and the complex types they use.

Element names, order, types and minOccurs follow the WSDL a Windows Server 2022 WSUS serves
(``/ApiRemoting30/WebService.asmx?WSDL``).  Only the types of the implemented operations are described;
every other operation of that WSDL is known by name (``WSDL_OPERATIONS``) so that it can be answered with a
"not implemented" fault instead of "unknown operation".

ConfigurationTableRow is profile dependent and comes from ``data/configuration.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

TNS = "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"
MONITORABLE_NS = "http://www.microsoft.com/SoftwareDistribution/Server/IMonitorable"
GUID_NS = "http://microsoft.com/wsdl/types/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"

SIMPLE_TYPES = frozenset(
    [
        "string",
        "int",
        "long",
        "short",
        "unsignedByte",
        "unsignedInt",
        "boolean",
        "dateTime",
        "guid",
        "base64Binary",
        "anyType",
    ]
)

# The WSDL's enumerations (xsd:string restrictions), read and written by their names as XmlSerializer does:
# exact, case-sensitive; anything else is its "Instance validation error" (soap.parse_simple).
ENUM_TYPES: Dict[str, Tuple[str, ...]] = {
    "EmailStatusNotificationFrequency": ("Daily", "Weekly"),
    "EmailNotificationType": ("Test", "NewSync", "Summary"),
}

PROFILES = ("ws2022", "spec")
UNBOUNDED = None


@dataclass(frozen=True)
class Field:
    """One element of a sequence."""

    name: str
    type: str  # a SIMPLE_TYPES name or a key of the complex type table
    min: int = 1
    max: Optional[int] = 1  # None: unbounded
    nillable: bool = False

    @property
    def repeated(self) -> bool:
        return self.max is None or self.max > 1


def _f(name, type_, min_=1, max_=1, nillable=False) -> Field:
    return Field(name, type_, min_, max_, nillable)


def _opt(name, type_) -> Field:
    return Field(name, type_, 0, 1, False)


def _list(name, type_, nillable=False) -> Field:
    return Field(name, type_, 0, UNBOUNDED, nillable)


_COMMON_TYPES: Dict[str, List[Field]] = {
    "SubscriptionTableRow": [
        _f("synchronizeAutomaticallyTimeOfDay", "long"),
        _opt("LastModifiedBy", "string"),
        _f("LastModifiedTime", "dateTime"),
        _f("LastSynchronizationTime", "dateTime"),
        _f("SynchronizeAutomatically", "boolean"),
        _opt("Anchor", "string"),
        _opt("DeploymentAnchor", "string"),
        _f("NumberOfSynchronizationsPerDay", "int"),
        _f("IsCategoryOnly", "boolean"),
    ],
    "ArrayOfGuid": [_list("guid", "guid")],
    "ArrayOfAnyType": [_list("anyType", "anyType", nillable=True)],
    "ArrayOfInt": [_list("int", "int")],
    "ArrayOfString": [_list("string", "string", nillable=True)],
    "ArrayOfProgramKey": [_list("ProgramKey", "ProgramKey", nillable=True)],
    "ProgramKey": [_f("Key", "guid"), _opt("Description", "string")],
    "EventHistoryFilter": [
        _opt("eventInstanceIdFilter", "ArrayOfGuid"),
        _opt("eventIdFilter", "ArrayOfEventIdFilter"),
        _opt("eventSourceFilter", "ArrayOfEventSourceFilter"),
        _opt("eventSeverityFilter", "ArrayOfInt"),
        _opt("updateFilter", "UpdateRevisionIdentifier"),
        _f("fromTimeAtTarget", "dateTime"),
        _f("toTimeAtTarget", "dateTime"),
        _f("fromTimeAtServer", "dateTime"),
        _f("toTimeAtServer", "dateTime"),
        _opt("targetId", "string"),
        # WS2022 appends four PascalCase twins (minOccurs 1 there). The spec's filter has none of them,
        # so the emulator accepts the filter with or without them.
        _opt("FromTimeAtTarget", "dateTime"),
        _opt("ToTimeAtTarget", "dateTime"),
        _opt("FromTimeAtServer", "dateTime"),
        _opt("ToTimeAtServer", "dateTime"),
    ],
    "ArrayOfEventIdFilter": [_list("EventIdFilter", "EventIdFilter", nillable=True)],
    "EventIdFilter": [_f("NamespaceId", "int"), _f("EventId", "short")],
    "ArrayOfEventSourceFilter": [_list("EventSourceFilter", "EventSourceFilter", nillable=True)],
    "EventSourceFilter": [_f("NamespaceId", "int"), _f("SourceId", "short")],
    "UpdateRevisionIdentifier": [_f("UpdateID", "guid"), _f("RevisionNumber", "int")],
    "ArrayOfEventHistoryTableRow": [_list("EventHistoryTableRow", "EventHistoryTableRow", nillable=True)],
    "EventHistoryTableRow": [
        _f("EventInstanceId", "guid"),
        _f("EventId", "short"),
        _f("NamespaceId", "int"),
        _f("SourceId", "short"),
        _f("TimeAtTarget", "dateTime"),
        _f("TimeAtServer", "dateTime"),
        _f("StateId", "int"),
        _f("SeverityId", "int"),
        _f("Win32HResult", "int"),
        _opt("MessageTemplate", "string"),
        _opt("ComputerId", "string"),
        _opt("AppName", "string"),
        _opt("MiscData", "ArrayOfString"),
        _opt("ReplacementStrings", "ArrayOfString"),
        _f("UpdateId", "guid"),
        _f("RevisionNumber", "int"),
        _opt("DeviceId", "string"),
    ],
    "GenericReadableRow": [_opt("Values", "ArrayOfAnyType")],
    "ArrayOfGenericReadableRow": [_list("GenericReadableRow", "GenericReadableRow", nillable=True)],
    "AllConfigurationTableRows": [
        _opt("Configuration", "ConfigurationTableRow"),
        _opt("GroupAuthorization", "ArrayOfGroupAuthorizationTableRow"),
        _opt("Authorization", "ArrayOfAuthorizationPlugInTableRow"),
    ],
    "ArrayOfGroupAuthorizationTableRow": [
        _list("GroupAuthorizationTableRow", "GroupAuthorizationTableRow", nillable=True)
    ],
    "GroupAuthorizationTableRow": [_f("Group", "guid"), _opt("PlugInId", "string")],
    "ArrayOfAuthorizationPlugInTableRow": [
        _list("AuthorizationPlugInTableRow", "AuthorizationPlugInTableRow", nillable=True)
    ],
    "AuthorizationPlugInTableRow": [
        _opt("PlugInId", "string"),
        _opt("AssemblyName", "string"),
        _opt("ClassName", "string"),
        _opt("Data", "base64Binary"),
        _opt("Url", "string"),
        _opt("Parameter", "string"),
    ],
    "EmailNotificationConfigurationRow": [
        _f("statusNotificationTimeOfDay", "long"),
        _f("EmailNeedToSendNewSyncNotification", "boolean"),
        _f("EmailNeedToSendStatusNotification", "boolean"),
        _f("StatusNotification", "EmailStatusNotificationFrequency"),
        _f("SmtpServerRequireAuthentication", "boolean"),
        _opt("SmtpHostName", "string"),
        _f("SmtpPort", "int"),
        _opt("SmtpUserName", "string"),
        _opt("SmtpUserDisplayName", "string"),
        _opt("SmtpUserMailAddress", "string"),
        _opt("EmailLanguage", "string"),
        _f("LastModifiedTime", "dateTime"),
        _opt("LastModifiedBy", "string"),
    ],
    # The anonymous type of the GetDatabaseConfigurationResponse element: three out-parameters written
    # straight into the response element, with no ...Result wrapper ([MS-WSUSAR] 3.1.4.114.3.2, LIVE WSDL).
    "GetDatabaseConfigurationResponse": [
        _opt("serverName", "string"),
        _opt("databaseName", "string"),
        _opt("wmsdeInstanceName", "string"),
    ],
}


@dataclass(frozen=True)
class Operation:
    name: str
    params: Tuple[Field, ...]
    result: Optional[Field]  # None: a void operation (empty <OpResponse/>), unless ``out`` is set
    write: bool = False  # needs the WSUS Administrators role
    out: Optional[str] = None  # a complex type whose fields are the response's out-parameters (no ...Result)


def _op(name, params=(), result=None, write=False, out=None) -> Operation:
    return Operation(name, tuple(params), result, write, out)


def _result(op, type_, min_=0) -> Field:
    return Field(op + "Result", type_, min_, 1, False)


_CATEGORY_ROWS = "ArrayOfGenericReadableRow"

OPERATIONS: Dict[str, Operation] = {
    op.name: op
    for op in [
        _op("GetServerVersion", result=_result("GetServerVersion", "string")),
        _op("GetServerProtocolVersion", result=_result("GetServerProtocolVersion", "string")),
        _op("GetCurrentUserRole", result=_result("GetCurrentUserRole", "int", 1)),
        _op("ExecuteSPGetConfiguration", result=_result("ExecuteSPGetConfiguration", "AllConfigurationTableRows")),
        _op(
            "ExecuteSPSetConfiguration",
            [
                _opt("row", "ConfigurationTableRow"),
                _opt("listTrue", "ArrayOfAnyType"),
                _opt("listFalse", "ArrayOfAnyType"),
                _opt("ussListTrue", "ArrayOfAnyType"),
                _opt("ussListFalse", "ArrayOfAnyType"),
                _opt("programKeys", "ArrayOfProgramKey"),
            ],
            write=True,
        ),
        _op("HasProxyPassword", result=_result("HasProxyPassword", "boolean", 1)),
        _op("SetProxyPassword", [_opt("passwordBytes", "base64Binary")], write=True),
        _op(
            "ExecuteSPGetAllLanguagesWithEnabledState",
            result=_result("ExecuteSPGetAllLanguagesWithEnabledState", _CATEGORY_ROWS),
        ),
        _op("GetSubscription", result=_result("GetSubscription", "SubscriptionTableRow")),
        _op(
            "SetSubscription",
            [
                _opt("subscription", "SubscriptionTableRow"),
                _opt("categoryIds", "ArrayOfGuid"),
                _opt("updateClassificationIds", "ArrayOfGuid"),
                _opt("userName", "string"),
            ],
            write=True,
        ),
        _op("SetSubscriptionFrequency", [_f("numberOfSynchronizationsPerDay", "int")], write=True),
        _op(
            "GetSubscriptionCategories",
            [
                _opt("preferredCulture", "string"),
                _f("retrieveUpdateClassifications", "boolean"),
            ],
            result=_result("GetSubscriptionCategories", _CATEGORY_ROWS),
        ),
        _op(
            "ExecuteSPGetCategories",
            [
                _opt("preferredCulture", "string"),
                _f("retrieveUpdateClassifications", "boolean"),
                _f("fromSyncDate", "dateTime"),
                _f("toSyncDate", "dateTime"),
            ],
            result=_result("ExecuteSPGetCategories", _CATEGORY_ROWS),
        ),
        _op(
            "ExecuteSPGetTopLevelCategories",
            [_opt("preferredCulture", "string")],
            result=_result("ExecuteSPGetTopLevelCategories", _CATEGORY_ROWS),
        ),
        _op(
            "ExecuteSPGetSubcategories",
            [_opt("preferredCulture", "string"), _f("categoryId", "guid")],
            result=_result("ExecuteSPGetSubcategories", _CATEGORY_ROWS),
        ),
        _op(
            "ExecuteSPGetCategoryById",
            [
                _opt("preferredCulture", "string"),
                _f("retrieveUpdateClassification", "boolean"),
                _f("id", "guid"),
            ],
            result=_result("ExecuteSPGetCategoryById", "GenericReadableRow"),
        ),
        _op("GetSubscriptionState", result=_result("GetSubscriptionState", "int", 1)),
        _op("GetServerSyncProgress", result=_result("GetServerSyncProgress", _CATEGORY_ROWS)),
        _op(
            "GetSubscriptionNextSynchronizationTime",
            result=_result("GetSubscriptionNextSynchronizationTime", "dateTime", 1),
        ),
        _op("StartSubscriptionManually", write=True),
        _op("StartSubscriptionManuallyForCategoryOnly", write=True),
        _op("StopSubscription", write=True),
        _op(
            "ExecuteSPSearchEventHistory",
            [_opt("eventHistoryFilter", "EventHistoryFilter")],
            result=_result("ExecuteSPSearchEventHistory", "ArrayOfEventHistoryTableRow"),
        ),
        # The downstream servers registered at this server (hierarchy.py).
        _op(
            "ExecuteSPGetAllDownstreamServers",
            [_f("parentServerId", "guid"), _f("includeNestedChildren", "boolean")],
            result=_result("ExecuteSPGetAllDownstreamServers", _CATEGORY_ROWS),
        ),
        # What a console reads when it opens a server (GUIDE.md "Console reads").
        _op(
            "ExecuteSPGetComputerCount",
            [_opt("computerTargetScopeXml", "string")],
            result=_result("ExecuteSPGetComputerCount", "int", 1),
        ),
        _op(
            "ExecuteSPGetUpdateCount",
            [
                _opt("updateScopeXml", "string"),
                _opt("preferredCulture", "string"),
                _f("publicationState", "int"),
            ],
            result=_result("ExecuteSPGetUpdateCount", "int", 1),
        ),
        _op("GetDatabaseConfiguration", out="GetDatabaseConfigurationResponse"),
        _op(
            "ExecuteSPGetContentDownloadProgress",
            result=_result("ExecuteSPGetContentDownloadProgress", "GenericReadableRow"),
        ),
        _op("ExecuteSPGetComponentsWithErrors", result=_result("ExecuteSPGetComponentsWithErrors", "ArrayOfString")),
        _op(
            "ExecuteSPGetFailedToDownloadUpdatesCount",
            result=_result("ExecuteSPGetFailedToDownloadUpdatesCount", "int", 1),
        ),
        # E-mail notifications (issue 15; mail.py): the configuration row, the recipient lists, the SMTP
        # password (write-only, like the proxy password) and the test e-mail.
        _op(
            "ExecuteSPGetEmailNotificationConfiguration",
            result=_result("ExecuteSPGetEmailNotificationConfiguration", "EmailNotificationConfigurationRow"),
        ),
        _op(
            "ExecuteSPSetEmailNotificationConfiguration",
            [_opt("setting", "EmailNotificationConfigurationRow")],
            write=True,
        ),
        _op(
            "ExecuteSPGetEmailNotificationRecipients",
            [_f("value", "EmailNotificationType")],
            result=_result("ExecuteSPGetEmailNotificationRecipients", "string"),
        ),
        _op(
            "ExecuteSPSetEmailNotificationRecipients",
            [_opt("recipients", "string"), _f("notificationType", "EmailNotificationType")],
            write=True,
        ),
        _op("HasSmtpUserPassword", result=_result("HasSmtpUserPassword", "boolean", 1)),
        _op("SetSmtpUserPassword", [_opt("passwordBytes", "base64Binary")], write=True),
        _op(
            "SendTestEmail",
            [
                _opt("emailLanguage", "string"),
                _opt("smtpUserName", "string"),
                _opt("senderEmailAddress", "string"),
                _opt("smtpHostName", "string"),
                _f("smtpPort", "int"),
                _opt("recipients", "string"),
            ],
            write=True,
        ),
    ]
}

# Every request element of the live WS2022 WSDL (171 in the main namespace; Ping lives in IMonitorable).
WSDL_OPERATIONS = frozenset(
    """
AddDynamicCategories AddDynamicCategory AddNewLanguage ApplyAutomaticUpdateApprovalRule
CatalogSiteGetMetadataAndImport CreateInstallApprovalRule DeleteDynamicCategory DeleteInstallApprovalRule
ExecuteGetSigningCertificate ExecuteReplicaSPDeleteDeployment ExecuteSPAcceptEula
ExecuteSPAcceptEulaForReplicaDSS ExecuteSPAddComputerToTargetGroupAllowMultipleGroups
ExecuteSPCancelAllDownloads ExecuteSPCancelDownload ExecuteSPCleanupObsoleteComputers
ExecuteSPCleanupUnneededContentFiles ExecuteSPCleanupUnneededContentFiles2 ExecuteSPCompressUpdate
ExecuteSPCountObsoleteUpdatesToCleanup ExecuteSPCountUpdatesToCompress ExecuteSPCreateTargetGroup1
ExecuteSPCreateTargetGroup2 ExecuteSPDeclineExpiredUpdates ExecuteSPDeclineSupersededUpdates
ExecuteSPDeclineUpdate ExecuteSPDeleteComputer ExecuteSPDeleteDeployment ExecuteSPDeleteDownstreamServer
ExecuteSPDeleteTargetGroup ExecuteSPDeleteUpdate ExecuteSPDeleteUpdateByUpdateID ExecuteSPDeployUpdate1
ExecuteSPDeployUpdate2 ExecuteSPGetAllComputers ExecuteSPGetAllDownstreamServers
ExecuteSPGetAllLanguagesWithEnabledState ExecuteSPGetAllTargetGroups ExecuteSPGetApprovedUpdateMetadata
ExecuteSPGetCategories ExecuteSPGetCategoryById ExecuteSPGetChildTargetGroups
ExecuteSPGetClientsWithRecentNameChange ExecuteSPGetComponentsWithErrors ExecuteSPGetComputerById
ExecuteSPGetComputerCount ExecuteSPGetComputerSummariesForCategory ExecuteSPGetComputerSummariesForTargetGroup
ExecuteSPGetComputerTargetByName ExecuteSPGetComputersHavingInventoryItem ExecuteSPGetComputersInTargetGroup
ExecuteSPGetComputersNotContactedSinceCount ExecuteSPGetConfiguration ExecuteSPGetContentDownloadProgress
ExecuteSPGetDeploymentById ExecuteSPGetDeployments ExecuteSPGetDeploymentsByUpdate1
ExecuteSPGetDeploymentsByUpdate2 ExecuteSPGetDeploymentsByUpdate3 ExecuteSPGetDownstreamServer
ExecuteSPGetDownstreamServerRollupSummary ExecuteSPGetDownstreamServersInTargetGroup
ExecuteSPGetEmailNotificationConfiguration ExecuteSPGetEmailNotificationRecipients ExecuteSPGetEulaAcceptances
ExecuteSPGetEulaFile ExecuteSPGetExportData ExecuteSPGetExportUpdateData
ExecuteSPGetFailedToDownloadUpdatesCount ExecuteSPGetFrontEndServers ExecuteSPGetInstallableItems
ExecuteSPGetInventoryItemsForComputer ExecuteSPGetInventorySummary ExecuteSPGetLanguagesForUpdate
ExecuteSPGetLatestRevisionNumberForUpdate ExecuteSPGetObsoleteUpdatesToCleanup ExecuteSPGetParentCategories
ExecuteSPGetParentTargetGroup ExecuteSPGetParentUpdateClassification ExecuteSPGetPreviousRevision
ExecuteSPGetProgramKeys ExecuteSPGetRevisions ExecuteSPGetSdpXmlForUpdate ExecuteSPGetSubcategories
ExecuteSPGetSummariesPerComputer ExecuteSPGetSummariesPerUpdate ExecuteSPGetSummariesPerUpdate_SingleUpdate
ExecuteSPGetTargetGroupById ExecuteSPGetTargetGroupSummariesForUpdate ExecuteSPGetTargetGroupsForComputer
ExecuteSPGetTempContentCache ExecuteSPGetTopLevelCategories ExecuteSPGetTotalSummaryForCategory
ExecuteSPGetTotalSummaryForComputer ExecuteSPGetTotalUpdateSummaryForTargetGroup ExecuteSPGetUpdateById
ExecuteSPGetUpdateCount ExecuteSPGetUpdateInstallationInfoForComputer
ExecuteSPGetUpdateInstallationInfoForTargetGroup ExecuteSPGetUpdateInstallationInfoForUpdate
ExecuteSPGetUpdateServerStatus ExecuteSPGetUpdateSummariesForCategory
ExecuteSPGetUpdateSummariesForTargetGroup ExecuteSPGetUpdateSummaryForSingleTargetGroup
ExecuteSPGetUpdatesBundledByUpdate ExecuteSPGetUpdatesByCategory ExecuteSPGetUpdatesRequiredByUpdate
ExecuteSPGetUpdatesSupersededByUpdate ExecuteSPGetUpdatesThatBundleUpdate ExecuteSPGetUpdatesThatRequireUpdate
ExecuteSPGetUpdatesThatSupersedeUpdate ExecuteSPGetUpdatesToCompress ExecuteSPGetXmlForUpdate
ExecuteSPHasApprovalsChanged ExecuteSPLoadReportingEventAttributes ExecuteSPPreregisterComputer
ExecuteSPPurgeReportingEventInstances ExecuteSPRefreshDeployments ExecuteSPRemoveComputerFromTargetGroup
ExecuteSPRemoveDownstreamServerFromTargetGroup ExecuteSPRemoveFrontEndServer ExecuteSPResumeAllDownloads
ExecuteSPResumeDownload ExecuteSPScheduleEmailNotification ExecuteSPSearchComputers
ExecuteSPSearchEventHistory ExecuteSPSearchUpdates ExecuteSPSetConfiguration
ExecuteSPSetEmailNotificationConfiguration ExecuteSPSetEmailNotificationRecipients
ExecuteSPSetRollupConfiguration ExecuteSPSimpleSearchComputers ExecuteSPSimpleSearchUpdates
ExecuteSPWakeUpResetAgent ExecuteSPWakeUpRollupAgent ExecuteSetSelfSigningCertificate
ExecuteSetSigningCertificate GetAutomaticUpdateApprovalRules GetCurrentUserRole GetDatabaseConfiguration
GetDynamicCategories GetDynamicCategory GetResetStateMachineNeededFlag GetServerProtocolVersion
GetServerSyncProgress GetServerVersion GetSubscription GetSubscriptionCategories
GetSubscriptionNextSynchronizationTime GetSubscriptionState HasProxyPassword HasSmtpUserPassword ImportUpdate
ImportUpdateForPublishing SendTestEmail SetAutomaticUpdateApprovalRule
SetAutomaticUpdateApprovalRuleWithDeadline SetDynamicCategorySyncStatus SetProxyPassword SetSmtpUserPassword
SetSubscription SetSubscriptionFrequency SetSubscriptionLastSynchronizationTime
SignCabExForPublishingWithTimeStampOption SignCabForPublishing SignCabForPublishingWithTimeStampOption
StartSubscriptionManually StartSubscriptionManuallyForCategoryOnly StartWSUSService StopSubscription
StopWSUSService
""".split()
)

MONITORABLE_OPERATIONS = frozenset(["Ping"])

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


@dataclass(frozen=True)
class ConfigField:
    name: str
    type: str
    default: object
    profiles: Tuple[str, ...]


def load_configuration_fields(path: Optional[str] = None) -> List[ConfigField]:
    """All ConfigurationTableRow fields of ``data/configuration.json`` in order (every profile)."""
    with open(path or os.path.join(_DATA_DIR, "configuration.json"), encoding="utf-8") as handle:
        document = json.load(handle)
    fields = []
    for entry in document["fields"]:
        name, type_, default = entry[0], entry[1], entry[2]
        profiles = tuple(entry[3]) if len(entry) > 3 else PROFILES
        if type_ not in SIMPLE_TYPES or type_ == "anyType":
            raise ValueError("configuration.json: bad type %r for %s" % (type_, name))
        fields.append(ConfigField(name, type_, default, profiles))
    return fields


def optional_simple_type(type_: str) -> bool:
    """String and base64Binary fields of the ASMX-generated schema are minOccurs=0; value types 1."""
    return type_ in ("string", "base64Binary")


class Schema:
    """The complex types for one profile (ConfigurationTableRow differs between ``ws2022`` and ``spec``)."""

    def __init__(self, profile: str = "ws2022", config_fields: Optional[List[ConfigField]] = None):
        if profile not in PROFILES:
            raise ValueError("unknown profile %r (expected one of %s)" % (profile, ", ".join(PROFILES)))
        self.profile = profile
        all_fields = config_fields if config_fields is not None else load_configuration_fields()
        self.config_fields = [field for field in all_fields if profile in field.profiles]
        self.types: Dict[str, List[Field]] = dict(_COMMON_TYPES)
        self.types["ConfigurationTableRow"] = [
            Field(field.name, field.type, 0 if optional_simple_type(field.type) else 1, 1, False)
            for field in self.config_fields
        ]
        self.operations = OPERATIONS

    def fields(self, type_name: str) -> List[Field]:
        return self.types[type_name]

    def is_array(self, type_name: str) -> bool:
        """An ASMX array type (ArrayOfX): one repeated element. XmlSerializer reads every literal array
        through ReadNull(), so xsi:nil on it gives null even where the schema does not say nillable."""
        fields = self.types.get(type_name)
        return type_name.startswith("ArrayOf") and fields is not None and len(fields) == 1 and fields[0].repeated
