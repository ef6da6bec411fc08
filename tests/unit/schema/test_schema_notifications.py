# -*- coding: utf-8 -*-
"""The notifications section of the schema and the validator's checks beyond it (extra.py): valid
documents pass, each rule is reported at its path with the allowed values, the common mistakes get
their hint, the SMTP password is never shown."""

from __future__ import annotations

import copy

import pytest

from support.documents import notifications_section
from ansible_collections.ops.wsus.plugins.plugin_utils._validate import ecma, extra, validate

SECRET = "Okapi-Smtp-Secret-7731!"

FULL = notifications_section(SECRET, update_password="on_create")


def violations(section):
    return validate.validate_document({"notifications": section})


def by_path(section):
    found: dict = {}
    for violation in violations(section):
        found.setdefault(violation.path, []).append(violation)
    return found


def with_(path, value, base=None):
    """A copy of FULL (or ``base``) with the dotted ``path`` set to ``value``."""
    section = copy.deepcopy(FULL if base is None else base)
    node = section
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return section


def only(section, path):
    """The one violation of ``section``, which must be at ``wsus_sync.notifications.<path>``."""
    found = violations(section)
    assert [v.path for v in found] == ["wsus_sync.notifications." + path], validate.format_violations(found)
    return found[0]


# --------------------------------------------------------------------------- valid documents


@pytest.mark.parametrize(
    "section",
    [
        FULL,
        {},
        {"language": "zh-cn"},
        {"new_updates": {"enabled": False, "recipients": []}},
        {"new_updates": {"enabled": True}},  # the recipients the server has (the planner checks them)
        {"status_report": {"recipients": []}},
        {"status_report": {"frequency": "weekly", "time": "00:00"}},
        {"status_report": {"time": "23:59", "timezone": "America/Argentina/Buenos_Aires"}},
        {"smtp": {"host": "10.0.0.25"}},
        {"smtp": {"host": "MAIL01", "port": 65535, "authentication": False}},
        {"smtp": {"authentication": True, "user": "wsus@example.com"}},
        {"smtp": {"user": "svc-mail", "password": SECRET, "update_password": "always"}},
        {"smtp": {"sender_name": "", "user": ""}},
        {"smtp": {"sender_name": "WSUS – Zürich (Prod)"}},  # a display name may be any one line of text
        {
            "new_updates": {
                "recipients": [
                    "first.last@example.com",
                    "o'brien+wsus@sub.example.co.uk",
                    "!#$%&'*+/=?^_`{|}~-@example.com",
                    "root@localhost",
                    "x@xn--mller-kva.example",
                    "a@b",
                    "a" * 64 + "@" + ".".join(["b" * 63, "b" * 63, "b" * 62]),  # 255 characters
                ]
            }
        },
    ],
    ids=lambda section: ",".join(sorted(section)) or "empty",
)
def test_valid_sections(section):
    found = violations(section)
    assert found == [], validate.format_violations(found)


def test_the_longest_address_is_255_characters():
    address = "a" * 64 + "@" + ".".join(["b" * 63, "b" * 63, "b" * 62])
    assert len(address) == 255
    assert violations({"new_updates": {"recipients": [address]}}) == []
    assert violations({"new_updates": {"recipients": [address + "b"]}})


def test_a_recipient_list_just_under_the_wsus_limit_passes_and_one_character_more_fails():
    # 2,559 characters joined with ", ": the longest list WSUS takes
    items = ["user%04d@example.com" % i for i in range(115)]  # 20 characters each: 2,528 joined
    items.append("x" * (2559 - 2528 - 2 - len("@example.com")) + "@example.com")
    assert len(", ".join(items)) == 2559
    assert violations({"status_report": {"recipients": items}}) == []
    items[-1] = "x" + items[-1]
    violation = only({"status_report": {"recipients": items}}, "status_report.recipients")
    assert "2560 characters long" in violation.message and "shorter than 2,560" in violation.message
    assert violation.got is None


def test_generated_full_sections_are_valid_in_every_iana_zone():
    zoneinfo = pytest.importorskip("zoneinfo")
    names = sorted(zoneinfo.available_timezones())
    assert names, "the controller needs a time zone database (tzdata)"
    rejected = [name for name in names if violations(with_("status_report.timezone", name))]
    assert rejected == []


# --------------------------------------------------------------------------- rules and messages


@pytest.mark.parametrize(
    "path, value, words",
    [
        ("language", "English", ["lower case", "not its name"]),
        ("language", "EN", ["write it in lower case: 'en'"]),
        ("language", "en_US", ["write it in lower case: 'en-us'"]),
        ("new_updates.enabled", "yes", ["must be true or false"]),
        ("status_report.frequency", "monthly", ["must be one of: daily, weekly"]),
        ("status_report.frequency", "Daily", ["did you mean 'daily'?"]),
        ("status_report.time", "24:00", ['"HH:MM"', "00:00 to 23:59"]),
        ("status_report.time", 420, ["unquoted 7:00 as the number 420", 'time: "07:00"']),
        ("status_report.time", "7:00", ['"HH:MM"']),
        ("status_report.timezone", "UTC+2", ["not a UTC offset"]),
        ("status_report.timezone", "CEST", ["abbreviation", "IANA name"]),
        ("status_report.timezone", "Europe/Berlinn", ["time zone database", "did you mean 'Europe/Berlin'?"]),
        ("smtp.host", "smtp://smtp.example.com", ["without a scheme"]),
        ("smtp.host", "smtp.example.com:25", ["give the port in the port key (smtp.port), not in the host name"]),
        ("smtp.port", 0, ["from 1 to 65535"]),
        ("smtp.port", 65536, ["from 1 to 65535"]),
        ("smtp.port", "25", ["from 1 to 65535", "without quotes"]),
        ("smtp.sender_name", "WSUS\r\nBcc: victim@example.com", ["one line", "mail header"]),
        ("smtp.sender_name", "N" * 256, ["at most 255 characters"]),
        ("smtp.user", "CONTOSO\\wsus-mail\n", ["one line"]),
        ("smtp.sender_address", "WSUS <wsus@example.com>", ["write the plain address wsus@example.com", "sender_name"]),
        ("smtp.sender_address", "wsus@example.com; ops@example.com", ["give one address only"]),
        ("smtp.update_password", "sometimes", ["must be one of: on_create, always"]),
    ],
)
def test_each_bad_value_is_named_with_what_is_allowed(path, value, words):
    violation = only(with_(path, value), path)
    for word in words:
        assert word in violation.message, violation.message


@pytest.mark.parametrize(
    "item, hint",
    [
        ("Ops Team <ops@example.com>", "write the plain address ops@example.com; recipients take no display name"),
        ("a@example.com, b@example.com", "one address per item"),
        ("a@example.com;b@example.com", "one address per item"),
        ("mailto:ops@example.com", "without mailto:"),
        ("müller@example.com", "SMTPUTF8 is not assumed"),
        ("ops@exämple.com", "punycode"),
        ("ops example.com", "local-part@domain"),
        ("ops @example.com", "it contains spaces"),
        (" ops@example.com", "remove the spaces around it"),
        ("ops@example.com\n", "line break"),
        ("x" * 65 + "@example.com", "has 65 characters, at most 64"),
        (".ops@example.com", "must be one plain e-mail address"),
        ("ops.@example.com", "must be one plain e-mail address"),
        ("o..ps@example.com", "must be one plain e-mail address"),
        ("ops@-example.com", "must be one plain e-mail address"),
        ("ops@example-.com", "must be one plain e-mail address"),
        ("ops@example..com", "must be one plain e-mail address"),
        ("ops@example.com.", "must be one plain e-mail address"),
        ("ops@" + "b" * 64 + ".com", "must be one plain e-mail address"),
        ("ops@", "must be one plain e-mail address"),
        ("@example.com", "must be one plain e-mail address"),
        ('"quoted"@example.com', "must be one plain e-mail address"),
    ],
)
def test_bad_recipients_are_named_by_index_with_a_hint(item, hint):
    section = {"new_updates": {"recipients": ["ops-lead@example.com", item]}}
    found = violations(section)
    assert found and {v.path for v in found} == {"wsus_sync.notifications.new_updates.recipients[1]"}, found
    assert any(hint in v.message for v in found), validate.format_violations(found)


def test_an_address_of_256_characters_is_refused():
    address = "a" * 64 + "@" + "b" * 187 + ".com"
    assert len(address) == 256
    found = by_path({"status_report": {"recipients": [address]}})
    messages = [v.message for v in found["wsus_sync.notifications.status_report.recipients[0]"]]
    assert "must be at most 255 characters long" in messages


def test_recipients_as_one_string_ask_for_a_list():
    violation = only({"new_updates": {"recipients": "a@example.com, b@example.com"}}, "new_updates.recipients")
    assert violation.message.startswith("must be a list; write a list, one address per item")


def test_duplicates_are_found_ignoring_case_and_reported_once():
    section = {
        "status_report": {"recipients": ["Ops@Example.com", "wsus@example.com", "ops@example.com", "Ops@Example.com"]}
    }
    found = by_path(section)
    assert sorted(found) == [
        "wsus_sync.notifications.status_report.recipients[2]",
        "wsus_sync.notifications.status_report.recipients[3]",
    ]
    (case,) = found["wsus_sync.notifications.status_report.recipients[2]"]
    assert case.message.startswith("repeats item [0] 'Ops@Example.com' except for case")
    assert case.got == '"ops@example.com"'
    (exact,) = found["wsus_sync.notifications.status_report.recipients[3]"]  # uniqueItems, not a second message
    assert exact.message.startswith("repeats item [0]; list items must be unique")


def test_more_than_512_recipients_cannot_fit_and_are_refused_by_count():
    # "a@b" is the shortest address: 512 of them joined are 512 * 3 + 511 * 2 = 2,558 characters
    assert len(", ".join(["a@b"] * 512)) == 2558
    items = ["u%d@example.com" % i for i in range(513)]
    violation = only({"new_updates": {"recipients": items}}, "new_updates.recipients")
    assert violation.message == "must have at most 512 items (it has 513)"  # and not the length again


@pytest.mark.parametrize("subsection", ["new_updates", "status_report"])
def test_enabled_without_recipients_is_refused(subsection):
    violation = only({subsection: {"enabled": True, "recipients": []}}, subsection + ".recipients")
    assert violation.message.startswith("must have at least 1 item")
    assert "no one to tell" in violation.message


def test_authentication_needs_a_user_and_not_an_empty_one():
    violation = only({"smtp": {"authentication": True}}, "smtp.user")
    assert violation.message.startswith("is required") and "authentication: true" in violation.message
    violation = only({"smtp": {"authentication": True, "user": ""}}, "smtp.user")
    assert violation.message.startswith("must not be empty")


def test_password_rules_never_show_the_password():
    cases = {
        "smtp.user": {"smtp": {"password": SECRET}},
        "smtp.password": {"smtp": {"user": "svc-mail", "password": SECRET, "authentication": False}},
        "smtp.update_password": {"smtp": {"user": "svc-mail", "password": SECRET, "update_password": "sometimes"}},
    }
    messages = {
        "smtp.user": "is required when password is declared",
        "smtp.password": "must not be declared (with authentication: false the server would not use the password",
        "smtp.update_password": "must be one of: on_create, always",
    }
    for path, section in cases.items():
        found = violations(section)
        report = validate.format_violations(found)
        assert [v.path for v in found] == ["wsus_sync.notifications." + path], report
        assert messages[path] in found[0].message
        assert SECRET not in report and all(SECRET not in repr(v) for v in found)


def test_update_password_needs_a_password():
    violation = only({"smtp": {"user": "svc-mail", "update_password": "always"}}, "smtp.password")
    assert violation.message.startswith("is required when update_password is declared")


@pytest.mark.parametrize("password", [12345, True, "", "P" * 256, ["a", SECRET]])
def test_a_bad_password_is_named_and_masked(password):
    section = {"smtp": {"user": "svc-mail", "password": password}}
    violation = only(section, "smtp.password")
    assert violation.got == validate.MASK
    assert SECRET not in str(violation) and "PPPP" not in str(violation) and "12345" not in str(violation)


def test_unknown_keys_get_the_closest_key():
    found = by_path({"new_updates": {"recipent": ["a@example.com"]}, "smtp": {"hostname": "mail"}, "zzz": {}})
    assert found["wsus_sync.notifications.new_updates.recipent"][0].message == (
        "unknown key 'recipent'; did you mean 'recipients'?"
    )
    assert "did you mean 'host'?" in found["wsus_sync.notifications.smtp.hostname"][0].message
    assert "allowed keys: language, new_updates, smtp, status_report" in (
        found["wsus_sync.notifications.zzz"][0].message
    )


def test_a_null_section_says_how_to_write_an_empty_one():
    (violation,) = validate.validate_document({"notifications": None})
    assert violation.path == "wsus_sync.notifications"
    assert "write {}" in violation.message


def test_every_problem_is_reported_at_once():
    section = {
        "language": "English",
        "new_updates": {"enabled": True, "recipients": []},
        "status_report": {"frequency": "monthly", "time": "24:00", "timezone": "Europe/Berlinn"},
        "smtp": {"host": "smtp://mail", "port": 0, "authentication": True, "password": SECRET},
    }
    paths = [v.path.replace("wsus_sync.notifications.", "") for v in violations(section)]
    assert paths == [
        "language",
        "new_updates.recipients",
        "smtp.host",
        "smtp.port",
        "smtp.user",  # authentication: true needs it
        "smtp.user",  # and so does the password
        "status_report.frequency",
        "status_report.time",
        "status_report.timezone",
    ]


# --------------------------------------------------------------------------- the pieces


def test_the_status_report_time_and_zone_are_defined_as_the_schedule_ones():
    schema = validate.load_schema()
    schedule = schema["properties"]["schedule"]["properties"]
    report = schema["properties"]["notifications"]["properties"]["status_report"]["properties"]
    for key in ("time", "timezone"):
        same = {k: v for k, v in report[key].items() if k not in ("description", "examples")}
        assert same == {k: v for k, v in schedule[key].items() if k not in ("description", "examples")}, key


def test_the_table_of_extra_checks_names_schema_keys():
    schema = validate.load_schema()
    for parts, check in extra.EXTRA_CHECKS:
        node = schema
        for part in parts:
            node = node["properties"][part]
        assert callable(check) and node["description"]


def test_extra_checks_skip_what_the_schema_already_reported():
    # a timezone that is no string, or a list that is no list, is the schema's to report (once)
    assert extra.extra_findings({"notifications": {"status_report": {"timezone": 7}}}) == []
    assert extra.extra_findings({"notifications": {"new_updates": {"recipients": "a@b"}}}) == []
    parts = ("notifications", "status_report", "timezone")
    document = {"notifications": {"status_report": {"timezone": "Mars/Olympus"}}}
    assert [f.parts for f in extra.extra_findings(document)] == [parts]
    assert extra.extra_findings(document, reported=frozenset([parts])) == []


@pytest.mark.parametrize(
    "pattern, text, ecma_match",
    [
        ("^[a-z]+$", "abc", True),
        ("^[a-z]+$", "abc\n", False),  # Python's own $ would match before the final \n
        ("^[a-z$]+$", "a$b", True),  # $ inside a class is a character
        ("^a\\$$", "a$", True),  # an escaped $ is a character
        ("^(?=x)x$", "x\n", False),
    ],
)
def test_patterns_end_at_the_end_of_the_string_as_in_ecma_262(pattern, text, ecma_match):
    assert bool(ecma.python_pattern(pattern).search(text)) is ecma_match


@pytest.mark.parametrize(
    "section, path",
    [
        ({"smtp": {"host": "smtp.example.com\n"}}, "smtp.host"),
        ({"smtp": {"sender_address": "wsus@example.com\n"}}, "smtp.sender_address"),
        ({"status_report": {"time": "07:00\n"}}, "status_report.time"),
        ({"language": "en\n"}, "language"),
    ],
)
def test_a_trailing_line_break_is_refused(section, path):
    only(section, path)
