"""Small server-side fixtures for the pure planner tests: rows as WSUS sends them."""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import Category, Language
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import (
    CONFIGURATION_FIELD_ORDER,
    EMAIL_CONFIGURATION_FIELD_ORDER,
    SUBSCRIPTION_FIELD_ORDER,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.soap import OrderedRow

CONFIG_DEFAULTS = {
    "SyncToMU": "true",
    "UpstreamServerName": None,
    "ServerPortNumber": "8530",
    "UpstreamServerUseSsl": "false",
    "ReplicaMode": "false",
    "GetContentFromMU": "false",
    "UseProxy": "false",
    "ProxyName": None,
    "ProxyServerPort": "80",
    "UseSeparateProxyForSsl": "false",
    "SslProxyName": None,
    "SslProxyServerPort": "443",
    "AnonymousProxyAccess": "true",
    "ProxyUserName": None,
    "ProxyUserDomain": None,
    "AllowProxyCredentialsOverNonSsl": "false",
    "ServerSupportsAllLanguages": "false",
    "HostOnMu": "false",
    "LazySync": "true",
    "DownloadExpressPackages": "false",
}


def config_row(**overrides):
    values = dict(CONFIG_DEFAULTS, **{key: _text(value) for key, value in overrides.items()})
    fields = []
    for name in CONFIGURATION_FIELD_ORDER:
        value = values.get(name, "0")
        if value is not None:
            fields.append((name, value))
    return OrderedRow(fields, CONFIGURATION_FIELD_ORDER)


def email_row(**overrides):
    """A fresh server's row (the emulator's defaults, n15.md), in WSDL order."""
    values = {
        "statusNotificationTimeOfDay": "0",
        "EmailNeedToSendNewSyncNotification": "false",
        "EmailNeedToSendStatusNotification": "false",
        "StatusNotification": "Weekly",
        "SmtpServerRequireAuthentication": "false",
        "SmtpHostName": None,
        "SmtpPort": "25",
        "SmtpUserName": None,
        "SmtpUserDisplayName": None,
        "SmtpUserMailAddress": None,
        "EmailLanguage": "en",
        "LastModifiedTime": "1753-01-01T00:00:00",
        "LastModifiedBy": None,
    }
    values.update({key: (str(value).lower() if isinstance(value, bool) else value) for key, value in overrides.items()})
    fields = [(name, None if values[name] is None else str(values[name])) for name in EMAIL_CONFIGURATION_FIELD_ORDER]
    return OrderedRow([(name, text) for name, text in fields if text is not None], EMAIL_CONFIGURATION_FIELD_ORDER)


def subscription_row(**overrides):
    values = {
        "synchronizeAutomaticallyTimeOfDay": "0",
        "LastModifiedBy": "WSUS\\admin",
        "LastModifiedTime": "2024-01-01T00:00:00",
        "LastSynchronizationTime": "0001-01-01T00:00:00",
        "SynchronizeAutomatically": "false",
        "Anchor": "anchor-1",
        "DeploymentAnchor": None,
        "NumberOfSynchronizationsPerDay": "1",
        "IsCategoryOnly": "false",
    }
    values.update({key: _text(value) for key, value in overrides.items()})
    return OrderedRow(
        [(name, values[name]) for name in SUBSCRIPTION_FIELD_ORDER if values[name] is not None],
        SUBSCRIPTION_FIELD_ORDER,
    )


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def category(guid, title, kind):
    return Category(id=guid, title=title, type=kind, prohibits_subcategories=False, description=None, arrival_date=None)


MICROSOFT = category("56309036-4c77-4dd9-951a-99ee9c246a94", "Microsoft Corporation", "Company")
WINDOWS = category("6964aab4-c5b5-43bd-a17d-ffb4346a8e1d", "Windows", "ProductFamily")
OFFICE = category("477b856e-65c4-4473-b621-a8b230bb70d9", "Office", "ProductFamily")
WS2022 = category("11111111-2222-3333-4444-000000000001", "Windows Server 2022", "Product")
WS2019 = category("11111111-2222-3333-4444-000000000002", "Windows Server 2019", "Product")
WIN10 = category("11111111-2222-3333-4444-000000000003", "Windows 10", "Product")
OFFICE_PRODUCT = category("11111111-2222-3333-4444-000000000004", "Office", "Product")
PRODUCTS = [MICROSOFT, WINDOWS, OFFICE, WS2022, WS2019, WIN10, OFFICE_PRODUCT]

CRITICAL = category("e6cf1350-c01b-414d-a61f-263d14d133b4", "Critical Updates", "UpdateClassification")
SECURITY = category("0fa1201d-4330-4fa8-8ae9-b877473b6441", "Security Updates", "UpdateClassification")
DRIVERS = category("ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0", "Drivers", "UpdateClassification")
CLASSIFICATIONS = [CRITICAL, SECURITY, DRIVERS]

# The spec row layout [LanguageId, ShortLanguage, LongLanguage, Enabled]: the lists carry LanguageId ints.
LANGUAGES = [
    Language(9, "en", "English", True, "spec"),
    Language(7, "de", "German", False, "spec"),
    Language(12, "fr", "French", False, "spec"),
    Language(1046, "pt-br", "Portuguese (Brazil)", False, "spec"),
]
# The live row layout [ShortLanguage, Enabled, UssEnabled]: no ids; the lists carry the short codes.
LIVE_LANGUAGES = [
    Language(None, language.short, language.short, language.enabled, "live", True) for language in LANGUAGES
]
