# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operation table: every [MS-WSUSAR] operation the client calls, as data.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Adding an operation is one entry here. ``tests/contract/test_wsdl_contract.py`` serializes a request
for every entry and validates it against the WSDL a real Windows Server 2022 WSUS serves.

Parameter types (how ``soap.encode_request`` writes a value):
  string, int, long, boolean, dateTime, guid, base64Binary  - simple XSD values
  ArrayOfGuid        - iterable of GUID strings, one <guid> each
  ArrayOfAnyType     - iterable of Python values, one <anyType xsi:type=...> each
  row                - an ``OrderedRow`` (configuration, subscription or e-mail notification configuration),
                       written back field by field
  EventHistoryFilter - a dict, see ``soap.encode_event_history_filter``
Result kinds (how ``soap.decode_response`` reads the answer):
  None (empty response), string, int, boolean, dateTime, rows (ArrayOfGenericReadableRow),
  row (GenericReadableRow), configuration (AllConfigurationTableRows), subscription
  (SubscriptionTableRow), email_configuration (EmailNotificationConfigurationRow), events
  (ArrayOfEventHistoryTableRow)
"""

from __future__ import annotations

from collections import namedtuple

NAMESPACE = "http://www.microsoft.com/SoftwareDistribution/Server/ApiRemotingWebService"
ENDPOINT_PATH = "/ApiRemoting30/WebService.asmx"

# write: changes server state (never retried after the request may have reached the server).
Operation = namedtuple("Operation", "name params result write")


def _op(name, params=(), result=None, write=False):
    return Operation(name, tuple(params), result, write)


_CULTURE = ("preferredCulture", "string")

OPERATIONS = {
    op.name: op
    for op in (
        _op("GetServerVersion", result="string"),
        _op("GetServerProtocolVersion", result="string"),
        _op("GetCurrentUserRole", result="int"),
        _op("ExecuteSPGetConfiguration", result="configuration"),
        _op(
            "ExecuteSPSetConfiguration",
            [
                ("row", "row"),
                ("listTrue", "ArrayOfAnyType"),
                ("listFalse", "ArrayOfAnyType"),
                ("ussListTrue", "ArrayOfAnyType"),
                ("ussListFalse", "ArrayOfAnyType"),
            ],
            write=True,
        ),
        _op("HasProxyPassword", result="boolean"),
        _op("SetProxyPassword", [("passwordBytes", "base64Binary")], write=True),
        _op("ExecuteSPGetAllLanguagesWithEnabledState", result="rows"),
        _op("GetSubscription", result="subscription"),
        _op(
            "SetSubscription",
            [
                ("subscription", "row"),
                ("categoryIds", "ArrayOfGuid"),
                ("updateClassificationIds", "ArrayOfGuid"),
                ("userName", "string"),
            ],
            write=True,
        ),
        _op("SetSubscriptionFrequency", [("numberOfSynchronizationsPerDay", "int")], write=True),
        _op("GetSubscriptionCategories", [_CULTURE, ("retrieveUpdateClassifications", "boolean")], result="rows"),
        _op(
            "ExecuteSPGetCategories",
            [
                _CULTURE,
                ("retrieveUpdateClassifications", "boolean"),
                ("fromSyncDate", "dateTime"),
                ("toSyncDate", "dateTime"),
            ],
            result="rows",
        ),
        _op(
            "ExecuteSPGetCategoryById",
            [_CULTURE, ("retrieveUpdateClassification", "boolean"), ("id", "guid")],
            result="row",
        ),
        _op("ExecuteSPGetTopLevelCategories", [_CULTURE], result="rows"),
        _op("ExecuteSPGetSubcategories", [_CULTURE, ("categoryId", "guid")], result="rows"),
        _op("GetSubscriptionState", result="int"),
        _op("GetServerSyncProgress", result="rows"),
        _op("GetSubscriptionNextSynchronizationTime", result="dateTime"),
        _op("StartSubscriptionManually", write=True),
        _op("StartSubscriptionManuallyForCategoryOnly", write=True),
        _op("StopSubscription", write=True),
        _op("ExecuteSPSearchEventHistory", [("eventHistoryFilter", "EventHistoryFilter")], result="events"),
        # sync health (console reads)
        _op("ExecuteSPGetContentDownloadProgress", result="row"),
        _op("ExecuteSPGetFailedToDownloadUpdatesCount", result="int"),
        _op("ExecuteSPGetComponentsWithErrors", result="strings"),
        # the downstream servers registered at this server (sync_health, hierarchy)
        _op(
            "ExecuteSPGetAllDownstreamServers",
            [("parentServerId", "guid"), ("includeNestedChildren", "boolean")],
            result="rows",
        ),
        # e-mail notifications (ops.wsus.notifications)
        _op("ExecuteSPGetEmailNotificationConfiguration", result="email_configuration"),
        _op("ExecuteSPSetEmailNotificationConfiguration", [("setting", "row")], write=True),
        _op("ExecuteSPGetEmailNotificationRecipients", [("value", "string")], result="string"),
        _op(
            "ExecuteSPSetEmailNotificationRecipients",
            [("recipients", "string"), ("notificationType", "string")],
            write=True,
        ),
        _op("HasSmtpUserPassword", result="boolean"),
        _op("SetSmtpUserPassword", [("passwordBytes", "base64Binary")], write=True),
        # Changes no state, but sends an e-mail: a write, so that it is never retried (no second message).
        _op(
            "SendTestEmail",
            [
                ("emailLanguage", "string"),
                ("smtpUserName", "string"),
                ("senderEmailAddress", "string"),
                ("smtpHostName", "string"),
                ("smtpPort", "int"),
                ("recipients", "string"),
            ],
            write=True,
        ),
    )
}


def soap_action(name):
    """The SOAPAction the live WSDL binds to an operation (section 6 form, not section 3)."""
    return '"%s/%s"' % (NAMESPACE, name)


# Field order of ConfigurationTableRow ([MS-WSUSAR] 2.2.4.10; the live WS2022 WSDL adds
# TrackDynamicCategories after DssRollupChunkSize and DetectConfigChange at the end). The client
# writes back whatever the server sent, in the server's order; this list is only used to put a
# field that the server omitted (a null string) back at its right place when the client sets it.
CONFIGURATION_FIELD_ORDER = (
    "maxDeltaSyncPeriod anonymousCookieExpirationTime simpleTargetingCookieExpirationTime "
    "maximumServerCookieExpirationTime dssTargetingCookieExpirationTime "
    "subscriptionFailureWaitBetweenRetriesTime dispatchManagerPollingInterval "
    "stateMachineTransitionErrorCaptureLength eventLogFloodProtectTime autoPurgeClientEventAgeThreshold "
    "autoPurgeServerEventAgeThreshold bitsHealthScanningInterval autoPurgeDetectionPeriod "
    "revisionDeletionTimeThreshold computerDeletionTimeThreshold configurationChangeNumber "
    "detectConfigChange LastConfigChange DssAnonymousTargeting IsRegistrationRequired ReportingServiceUrl "
    "ServerId ServerTargeting SyncToMU UpstreamServerName RedirectorChangeNumber MaxCoreUpdatesPerRequest "
    "MaxExtendedUpdatesPerRequest MaxUpdatesPerRequestInGetUpdateDecryptionData DownloadRegulationUrl "
    "DownloadRegulationWebServiceUrl LoadOdfLocally OdfFilePath DoServerSyncCompression "
    "MaxNumberOfIdsToRequestDataFromUss WsusInstallType ServerString AutoDeployMandatory "
    "UseClientIPHttpHeader ClientIPHttpHeader OobeInitialized MUUrl ServerPortNumber UpstreamServerUseSsl "
    "UseProxy ProxyName ProxyServerPort UseSeparateProxyForSsl SslProxyName SslProxyServerPort "
    "AnonymousProxyAccess ProxyUserName ProxyUserDomain AllowProxyCredentialsOverNonSsl "
    "ServerSupportsAllLanguages ServerSupportsAllAvailableLanguages HostOnMu LocalContentCacheLocation "
    "LazySync DownloadExpressPackages ImportLocalPath AutoRefreshDeployments "
    "AutoRefreshDeploymentsDeclineExpired StateMachineTransitionLoggingEnabled MaxSimultaneousFileDownloads "
    "BitsDownloadPriorityForeground EncryptionKey SubscriptionFailureNumberOfRetries StatsDotNetWebServiceUri "
    "StatsDotNetMaximumBatchSize QueueFlushTimeInMS QueueFlushCount QueueRejectCount "
    "DispatchMaximumSimultaneousHandlerCalls SleepTimeAfterErrorInMS UseCookieValidation "
    "DoReportingDataValidation DoReportingSummarization ClientReportingLevel CollectClientInventory "
    "DoDetailedRollup RollupResetGuid MURollupOptin DssRollupChunkSize TrackDynamicCategories "
    "DisableSyncPrinterCatalog DisableSyncDrivers DisableNonCriticalDrivers MaxXmlPerRequest "
    "MaxXmlPerRequestInServerSync DeploymentChangeDeferral MaxTargetComputers MaxEventInstances "
    "MaxConcurrentDatabaseCalls CategoryScanRequestTrackingReportingInterval "
    "CategoryScanRequestTrackingMaxEntries RevisionDeletionSizeThreshold ReplicaMode UssSupportsAllLanguages "
    "GetContentFromMU LocalPublishingMaxCabSize HmDetectIntervalInSeconds HmRefreshIntervalInSeconds "
    "HmCoreDiskSpaceGreenMegabytes HmCoreDiskSpaceRedMegabytes HmCoreCatalogSyncIntervalInDays "
    "HmClientsInstallUpdatesGreenPercent HmClientsInstallUpdatesRedPercent HmClientsInventoryGreenPercent "
    "HmClientsInventoryRedPercent HmClientsInventoryScanDiffInHours HmClientsSilentGreenPercent "
    "HmClientsSilentRedPercent HmClientsSilentDays HmClientsTooManyGreenPercent HmClientsTooManyRedPercent "
    "HmCoreFlags HmClientsFlags HmDatabaseFlags HmWebServicesFlags DetectConfigChange"
).split()

SUBSCRIPTION_FIELD_ORDER = (
    "synchronizeAutomaticallyTimeOfDay",
    "LastModifiedBy",
    "LastModifiedTime",
    "LastSynchronizationTime",
    "SynchronizeAutomatically",
    "Anchor",
    "DeploymentAnchor",
    "NumberOfSynchronizationsPerDay",
    "IsCategoryOnly",
)

# Field order of EmailNotificationConfigurationRow (the live WS2022 WSDL; [MS-WSUSAR] 2.2.4.x gives the same
# fields). Used, as the two orders above, only to place a field the server omitted (a null string).
EMAIL_CONFIGURATION_FIELD_ORDER = (
    "statusNotificationTimeOfDay",
    "EmailNeedToSendNewSyncNotification",
    "EmailNeedToSendStatusNotification",
    "StatusNotification",
    "SmtpServerRequireAuthentication",
    "SmtpHostName",
    "SmtpPort",
    "SmtpUserName",
    "SmtpUserDisplayName",
    "SmtpUserMailAddress",
    "EmailLanguage",
    "LastModifiedTime",
    "LastModifiedBy",
)
