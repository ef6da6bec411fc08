"""Realistic wsus_sync sections shared by the tests that validate, plan and apply them."""

from __future__ import annotations


def notifications_section(password, update_password=None, host="smtp.example.com", port=587):
    """A full ``notifications`` section as an admin writes it: new-updates mail to two people, a daily status
    report in Berlin time, an authenticated SMTP server. Built anew on each call: tests change it."""
    smtp = {
        "host": host,
        "port": port,
        "sender_name": "WSUS Contoso",
        "sender_address": "wsus@example.com",
        "authentication": True,
        "user": "CONTOSO\\wsus-mail",
        "password": password,
    }
    if update_password:
        smtp["update_password"] = update_password
    return {
        "language": "en",
        "new_updates": {"enabled": True, "recipients": ["wsus-admins@example.com", "ops@example.com"]},
        "status_report": {
            "enabled": True,
            "frequency": "daily",
            "time": "07:00",
            "timezone": "Europe/Berlin",
            "recipients": ["wsus-admins@example.com"],
        },
        "smtp": smtp,
    }


# Everything ops.wsus.sync_health reads, once each, on a server (the request log of a healthy read).
SYNC_HEALTH_READS = (
    "GetServerVersion",
    "GetSubscriptionState",
    "ExecuteSPSearchEventHistory",
    "GetSubscription",
    "GetSubscriptionNextSynchronizationTime",
    "ExecuteSPGetContentDownloadProgress",
    "ExecuteSPGetFailedToDownloadUpdatesCount",
    "ExecuteSPGetComponentsWithErrors",
    "ExecuteSPGetAllDownstreamServers",
)
