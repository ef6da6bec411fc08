"""Secrets never leak: every module and the role, at -vvv with --diff, on success and on failure.

One ansible-playbook run (default stdout callback, ``-vvv --diff``, an Ansible log file):

* play ``modules`` runs every module with a distinctive WSUS password and a distinctive proxy password
  (sync_options with ``update_password: always``, also in check mode; server_info; categories_info;
  sync; validate; notifications with a distinctive SMTP password and ``update_password: always``, also in
  check mode), then the failure paths (for the SMTP password: a test e-mail the server fails to send, a
  Reporter whose SetSmtpUserPassword is refused, a section the schema refuses): a wrong WSUS password for
  every module, a Reporter that tries to set the proxy password, and invalid
  documents that carry the proxy password (out-of-range port, misspelled key, a password too long or
  of the wrong type, a password under a key of the wrong section, a product the server does not have);
* play ``role`` runs ops.wsus.wsus_sync with a report path on three hosts: one that applies and
  synchronizes, one with a wrong WSUS password, one whose document is invalid and carries the password;
* play ``dump`` writes every registered value (and the role's own results) to a JSON file.

Then none of the secrets, nor their base64 or UTF-16LE-base64 forms, may appear in stdout, stderr, the
Ansible log, the dump, the role's reports, the emulator's request log, its state or its state files (but
for the SMTP password in the e-mail store of the state files: the emulated server's own database keeps it to
log on to the SMTP server, as WSUS does).
The suite also checks that the secrets really were used (the proxy password's SHA-256 on the server).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time

import pytest

from support.secrets import leaks as find_leaks
from support.playbook import connection_defaults, play, run_playbook


ADMIN_PASSWORD = "Wsus-Adm1n-Secr3t-91"
REPORTER_PASSWORD = "Wsus-Rep0rter-Secr3t-92"
WRONG_PASSWORD = "Wr0ng-Wsus-Secr3t-93"
PROXY_PASSWORD = "Pr0xy-Secr3t-Zebra-94"
SMTP_PASSWORD = "Smtp-Secr3t-Otter-95"
SECRETS = (ADMIN_PASSWORD, REPORTER_PASSWORD, WRONG_PASSWORD, PROXY_PASSWORD, SMTP_PASSWORD)

PROXY = {
    "enabled": True,
    "server": "proxy.corp.example",
    "port": 3128,
    "username": "svc-proxy",
    "domain": "CORP",
    "password": PROXY_PASSWORD,
    "update_password": "always",
}
DOCUMENT = {
    "update_source": {"type": "microsoft_update"},
    "proxy": PROXY,
    "products": ["Microsoft Server operating system-21H2"],
    "classifications": ["Critical Updates", "Security Updates"],
    "schedule": {"automatic": True, "time": "03:00", "timezone": "UTC", "per_day": 2},
    "languages": ["en", "de"],
}
ROLE_HOSTS = ("role_ok", "role_badpass", "role_invalid", "role_file")
SMTP_USER = "CONTOSO\\wsus-mail"
NOTIFICATIONS = {
    "new_updates": {"enabled": True, "recipients": ["wsus-admins@example.com"]},
    # nothing listens there: the test e-mail fails (only where it is asked for)
    "smtp": {
        "host": "127.0.0.1",
        "port": 9,
        "sender_address": "wsus@example.com",
        "authentication": True,
        "user": SMTP_USER,
        "password": SMTP_PASSWORD,
        "update_password": "always",
    },
}
INVALID_PROXY = dict(PROXY, port=70000, pasword=PROXY_PASSWORD)  # out of range, and a misspelled key

# The task names of play "modules" whose result must be a failure, with what the message must say.
EXPECTED_FAILURES = {
    "wrong password: sync_options": "authentication failed for user WSUS\\admin",
    "wrong password: server_info": "authentication failed for user WSUS\\admin",
    "wrong password: categories_info": "authentication failed for user WSUS\\admin",
    "wrong password: sync": "authentication failed for user WSUS\\admin",
    "invalid document: sync_options": "wsus_sync.proxy.port",
    "invalid document: password too long": "wsus_sync.proxy.password: must be at most 255 characters",
    "invalid document: password not a string": "wsus_sync.proxy.password: must be a string",
    "invalid document: password in the wrong section": "wsus_sync.update_source.password",
    "unknown product: sync_options": "products[0]: no product matches",
    "reporter: sync_options": "WSUS\\reporter may not call SetProxyPassword",
    "test e-mail refused: notifications": "the test e-mail failed: ",
    "reporter: notifications": "WSUS\\reporter may not call SetSmtpUserPassword",
    "invalid section: notifications": "wsus_sync.notifications.smtp.password",
}


def leaks(text):
    return find_leaks(text, SECRETS)


def test_secret_forms_find_each_encoding():
    blob = "x" + base64.b64encode(b"ab" + PROXY_PASSWORD.encode("utf-16-le") + b"z").decode() + "y"
    assert leaks(blob) and leaks("..%s.." % ADMIN_PASSWORD) and not leaks("nothing to see")
    assert leaks(base64.b64encode(b"Basic " + ("WSUS\\admin:" + ADMIN_PASSWORD).encode()).decode())


def modules_play(server):
    def fails(name, module, args, **extra):
        task = {"name": name, module: args, "register": _var(name), "ignore_errors": True}
        task.update(extra)
        return task

    wrong = {"password": WRONG_PASSWORD}
    tasks = [
        {"name": "apply", "ops.wsus.sync_options": DOCUMENT, "register": "r_apply"},
        {"name": "apply in check mode", "ops.wsus.sync_options": DOCUMENT, "check_mode": True, "register": "r_check"},
        {"name": "server_info", "ops.wsus.server_info": {}, "register": "r_info"},
        {"name": "categories_info", "ops.wsus.categories_info": {"title": "*Server*"}, "register": "r_categories"},
        {
            "name": "sync",
            "ops.wsus.sync": {"state": "completed", "poll_interval": 1, "wait_timeout": "2m"},
            "register": "r_sync",
        },
        {"name": "validate", "ops.wsus.validate": {"document": DOCUMENT}, "register": "r_validate"},
        {"name": "notifications", "ops.wsus.notifications": NOTIFICATIONS, "register": "r_notifications"},
        {
            "name": "notifications in check mode",
            "ops.wsus.notifications": NOTIFICATIONS,
            "check_mode": True,
            "register": "r_notifications_check",
        },
        fails("wrong password: sync_options", "ops.wsus.sync_options", dict(DOCUMENT, **wrong)),
        fails("wrong password: server_info", "ops.wsus.server_info", wrong),
        fails("wrong password: categories_info", "ops.wsus.categories_info", wrong),
        fails("wrong password: sync", "ops.wsus.sync", dict(wrong, state="completed")),
        fails("invalid document: sync_options", "ops.wsus.sync_options", dict(DOCUMENT, proxy=INVALID_PROXY)),
        fails(
            "invalid document: password too long",
            "ops.wsus.validate",
            {"document": {"proxy": dict(PROXY, password=PROXY_PASSWORD * 13)}},
        ),
        fails(
            "invalid document: password not a string",
            "ops.wsus.validate",
            {"document": {"proxy": dict(PROXY, password=[PROXY_PASSWORD, {"value": PROXY_PASSWORD}])}},
        ),
        fails(
            "invalid document: password in the wrong section",
            "ops.wsus.validate",
            {"document": {"update_source": {"type": "upstream", "server": "hq", "password": PROXY_PASSWORD}}},
        ),
        fails(
            "unknown product: sync_options", "ops.wsus.sync_options", dict(DOCUMENT, products=["Windows Server 2099"])
        ),
        fails(
            "reporter: sync_options",
            "ops.wsus.sync_options",
            dict(DOCUMENT, username="WSUS\\reporter", password=REPORTER_PASSWORD),
        ),
        fails(
            "test e-mail refused: notifications",
            "ops.wsus.notifications",
            dict(NOTIFICATIONS, send_test_email="always"),
        ),
        # the configuration is as declared already: SetSmtpUserPassword is the only write, and it is refused
        fails(
            "reporter: notifications",
            "ops.wsus.notifications",
            {"smtp": NOTIFICATIONS["smtp"], "username": "WSUS\\reporter", "password": REPORTER_PASSWORD},
        ),
        fails(
            "invalid section: notifications",
            "ops.wsus.notifications",
            {"smtp": dict(NOTIFICATIONS["smtp"], authentication=False, port=70000)},
        ),
    ]
    return play(tasks, connection_defaults(server, password=ADMIN_PASSWORD), hosts="modules", name="modules")


def _var(task_name):
    return "r_" + "".join(char if char.isalnum() else "_" for char in task_name)


def role_play():
    return {"name": "role", "hosts": "role", "gather_facts": False, "roles": [{"role": "ops.wsus.wsus_sync"}]}


def dump_play(path, task_names):
    registered = {name: "{{ %s | default('not registered') }}" % _var(name) for name in task_names}
    registered.update(
        {
            name: "{{ %s }}" % var
            for name, var in (
                ("apply", "r_apply"),
                ("apply in check mode", "r_check"),
                ("server_info", "r_info"),
                ("categories_info", "r_categories"),
                ("sync", "r_sync"),
                ("validate", "r_validate"),
                ("notifications", "r_notifications"),
                ("notifications in check mode", "r_notifications_check"),
            )
        }
    )
    role = {
        host: {
            fact: "{{ hostvars['%s'].%s | default(none) }}" % (host, fact)
            for fact in (
                "__wsus_sync_validation",
                "__wsus_sync_options",
                "__wsus_sync_notifications",
                "__wsus_sync_run",
                "__wsus_sync_failure",
                "__wsus_sync_report_entry",
            )
        }
        for host in ROLE_HOSTS
    }
    return {
        "name": "dump",
        "hosts": "modules",
        "gather_facts": False,
        "tasks": [
            {
                "name": "dump every registered value",
                "ansible.builtin.copy": {
                    "content": "{{ {'modules': registered, 'role': role} | to_nice_json }}",
                    "dest": path,
                    "mode": "0600",
                },
                "vars": {"registered": registered, "role": role},
                "diff": False,
            }
        ],
    }


@pytest.fixture(scope="module")
def secrets_run(emulator_factory, collections_path, tmp_path_factory):
    work = tmp_path_factory.mktemp("secrets")
    users = work / "users.txt"
    users.write_text("WSUS\\admin:%s:administrator\nWSUS\\reporter:%s:reporter\n" % (ADMIN_PASSWORD, REPORTER_PASSWORD))
    state_dir = work / "state"
    server = emulator_factory("--servers", 3, "--sync-seconds", "1", "--users", users, "--state-dir", state_dir)
    report = work / "report" / "wsus-sync"
    document_file = work / "wsus.wsus_sync.yml"
    document_file.write_text(
        "# yaml-language-server: $schema=wsus_sync.schema.json\n"
        + json.dumps(dict(DOCUMENT, proxy=dict(PROXY, password="{{ vault_proxy_password }}")), indent=1)
        + "\n"
    )
    dump = work / "registered.json"
    log = work / "ansible.log"

    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    role_vars = dict(
        local,
        wsus_server="127.0.0.1",
        wsus_port=server.ports[1],
        wsus_username="WSUS\\admin",
        wsus_password=ADMIN_PASSWORD,
        wsus_auth="ntlm",
        wsus_timeout=10,
        wsus_sync=dict(DOCUMENT, notifications=NOTIFICATIONS),
        wsus_sync_run="always",
        wsus_sync_poll_interval=1,
        wsus_sync_timeout="2m",
        wsus_sync_report_path=str(report),
    )
    inventory = {
        "all": {
            "children": {
                "modules_group": {"hosts": {"modules": dict(local)}},
                "role": {
                    "hosts": {
                        "role_ok": role_vars,
                        "role_badpass": dict(role_vars, wsus_password=WRONG_PASSWORD),
                        "role_invalid": dict(
                            role_vars,
                            wsus_sync=dict(
                                DOCUMENT,
                                proxy=dict(PROXY, port=70000, password=PROXY_PASSWORD * 13),
                                notifications={"smtp": dict(NOTIFICATIONS["smtp"], authentication=False)},
                            ),
                        ),
                        # the document in its own file (docs/role.md), its password templated from a variable
                        "role_file": dict(
                            {key: value for key, value in role_vars.items() if key != "wsus_sync"},
                            wsus_port=server.ports[2],
                            wsus_sync_file=str(document_file),
                            vault_proxy_password=PROXY_PASSWORD,
                        ),
                    }
                },
            }
        }
    }
    plays = [modules_play(server), role_play(), dump_play(str(dump), EXPECTED_FAILURES)]
    started = time.monotonic()
    run = run_playbook(
        plays,
        collections_path,
        inventory=inventory,
        extra_args=["-vvv", "--diff"],
        callback="default",
        env={"ANSIBLE_LOG_PATH": str(log), "ANSIBLE_FORKS": "5"},
    )
    run.seconds = time.monotonic() - started
    run.server = server
    run.work = work
    run.dump = json.loads(dump.read_text()) if dump.exists() else None
    run.report_files = sorted(report.parent.glob("*")) if report.parent.exists() else []
    run.log_text = log.read_text(errors="replace") if log.exists() else ""
    run.state_files = sorted(state_dir.glob("*.json"))
    return run


def test_the_run_did_what_it_claims(secrets_run):
    """Guard against a vacuous pass: the secrets were really used, and every path ran."""
    run = secrets_run
    assert run.dump is not None, run.stdout[-3000:] + run.stderr[-3000:]
    modules = run.dump["modules"]
    assert modules["apply"]["changed"] is True and "proxy password" in modules["apply"]["applied"]
    assert modules["apply in check mode"]["changed"] is True and modules["apply in check mode"]["applied"] == []
    assert modules["server_info"]["role"] == "administrator"
    assert modules["categories_info"]["products"]
    assert modules["sync"]["result"] == "succeeded"
    assert modules["validate"]["violations"] == []
    assert modules["notifications"]["changed"] is True and "smtp password" in modules["notifications"]["applied"]
    assert modules["notifications in check mode"]["changed"] is True
    assert modules["notifications in check mode"]["applied"] == []
    for name, needle in EXPECTED_FAILURES.items():
        result = modules[name]
        assert result.get("failed") is True, (name, result)
        assert needle in result["msg"], (name, result["msg"])
    digest = hashlib.sha256(PROXY_PASSWORD.encode("utf-8")).hexdigest()
    for index in (0, 1, 2):
        assert run.server.state(index)["proxy_password_sha256"] == digest  # the password did get through
    for index in (0, 1):  # the modules' server and role_ok's: the password they store is the one declared
        assert run.server.state(index)["email"]["smtp_password_set"] is True
        stored = json.loads((run.work / "state" / ("server-%d.json" % run.server.ports[index])).read_text())
        assert base64.b64decode(stored["email"]["smtp_password_utf16le"]).decode("utf-16-le") == SMTP_PASSWORD
    # the diff was printed, with the password masked
    assert '"password": "********"' in run.stdout and "--- before" in run.stdout
    assert "<127.0.0.1> EXEC" in run.stdout or "ESTABLISH LOCAL CONNECTION" in run.stdout  # really -vvv


def test_the_role_ran_and_reported_every_host(secrets_run):
    names = sorted(path.name for path in secrets_run.report_files)
    assert names == ["wsus-sync.json", "wsus-sync.md"], names
    report = json.loads((secrets_run.work / "report" / "wsus-sync.json").read_text())
    hosts = {entry["host"]: entry for entry in report["hosts"]}
    assert hosts["role_ok"]["status"] == "changed" and hosts["role_ok"]["sync"]["result"] == "succeeded"
    assert hosts["role_badpass"]["status"] == "failed"
    assert "authentication failed" in hosts["role_badpass"]["error"]["msg"]
    assert hosts["role_invalid"]["status"] == "failed"
    assert "wsus_sync.notifications.smtp.password" in hosts["role_invalid"]["error"]["msg"]
    assert hosts["role_ok"]["notifications"]["changed"] is True
    assert "notifications.smtp.password: set (update_password: always)" in hosts["role_ok"]["notifications"]["changes"]
    markdown = (secrets_run.work / "report" / "wsus-sync.md").read_text()
    assert "Notification changes made:" in markdown and "notifications.new_updates.recipients" in markdown
    assert "wsus_sync.proxy.password" in hosts["role_invalid"]["error"]["msg"]
    assert "wsus_sync.proxy.port" in hosts["role_invalid"]["error"]["msg"]
    assert hosts["role_file"]["status"] == "changed" and hosts["role_file"]["sync"]["result"] == "succeeded"


@pytest.mark.parametrize(
    "where",
    [
        "stdout",
        "stderr",
        "ansible log",
        "registered values",
        "report files",
        "emulator request log",
        "emulator state",
        "emulator state files",
    ],
)
def test_no_secret_anywhere(secrets_run, where):
    run = secrets_run
    if where == "stdout":
        text = run.stdout
    elif where == "stderr":
        text = run.stderr
    elif where == "ansible log":
        text = run.log_text
        assert "ops.wsus" in text  # the log was written
    elif where == "registered values":
        text = json.dumps(run.dump, ensure_ascii=False)
    elif where == "report files":
        assert run.report_files
        text = "\n".join(path.read_text(errors="replace") for path in run.report_files)
    elif where == "emulator request log":
        text = json.dumps([run.server.requests(index) for index in (0, 1, 2)])
        assert "SetProxyPassword" in text
    elif where == "emulator state":
        text = json.dumps([run.server.state(index) for index in (0, 1, 2)])
    else:
        assert run.state_files
        text = "\n".join(json.dumps(_without_smtp_store(json.loads(path.read_text()))) for path in run.state_files)
        assert getattr(_without_smtp_store, "seen", False), "no state file holds the SMTP store: nothing was tested"
    assert leaks(text) == []


def _without_smtp_store(state):
    """A state file without the one place the emulated server keeps the SMTP password (its database, as WSUS
    keeps it to log on to the SMTP server); asserting it is there keeps this exception narrow."""
    email = state.get("email") or {}
    if email.get("smtp_password_utf16le") is not None:
        assert base64.b64decode(email["smtp_password_utf16le"]).decode("utf-16-le") == SMTP_PASSWORD
        email["smtp_password_utf16le"] = "(the server's store)"
        _without_smtp_store.seen = True
    return state


def test_no_traceback(secrets_run):
    assert "Traceback" not in secrets_run.stdout + secrets_run.stderr


def test_no_task_waits_for_a_default_timeout(secrets_run):
    assert secrets_run.seconds < 120, secrets_run.seconds  # generous: the machine may be busy
