# -*- coding: utf-8 -*-
"""Property tests: generated valid documents validate; broken ones never crash or leak."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

LANGUAGES = validate.load_schema()["$defs"]["language_code"]["enum"]
ZONES = [
    "UTC",
    "Etc/GMT-2",
    "Etc/GMT+10",
    "Europe/Berlin",
    "America/New_York",
    "America/Argentina/Buenos_Aires",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Port-au-Prince",
    "EST5EDT",
    "GMT+0",
]
WORDS = [
    "Windows",
    "Server",
    "2019",
    "2022",
    "11",
    "Office",
    "SQL",
    "Microsoft",
    "Defender",
    "Edge",
    ".NET",
    "*",
    "?",
    "Visual",
    "Studio",
    "Exchange",
    "(x64)",
    "Admin",
    "Center",
    "Azure",
]

labels = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9_-]{0,20}[A-Za-z0-9])?\Z")
hosts = st.lists(labels, min_size=1, max_size=4).map(".".join)
ports = st.integers(min_value=1, max_value=65535)
guids = st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper())
titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
times = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: "%02d:%02d" % hm)
secrets = st.text(alphabet=string.ascii_letters + string.digits + "!#%&*+-_.", min_size=1, max_size=255)
users = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._@-]{0,30}\Z")


def optional(**fields):
    return st.fixed_dictionaries({}, optional=fields)


update_sources = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("microsoft_update")}, optional={"content_from_microsoft_update": st.booleans()}
    ),
    st.fixed_dictionaries(
        {"type": st.just("upstream"), "server": hosts},
        optional={
            "port": ports,
            "ssl": st.booleans(),
            "replica": st.booleans(),
            "content_from_microsoft_update": st.booleans(),
        },
    ),
    # no type: the planner checks these against the server's current source
    optional(
        server=hosts, port=ports, ssl=st.booleans(), replica=st.just(False), content_from_microsoft_update=st.booleans()
    ),
)


@st.composite
def proxies(draw):
    proxy = draw(optional(enabled=st.booleans(), server=hosts, port=ports, allow_basic_auth=st.booleans()))
    if proxy.get("enabled") and "server" not in proxy:
        proxy["server"] = draw(hosts)
    if draw(st.booleans()):
        proxy["ssl_server"] = draw(hosts)
        if draw(st.booleans()):
            proxy["ssl_port"] = draw(ports)
    if draw(st.booleans()):
        proxy["username"] = draw(users)
        proxy.update(draw(optional(domain=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9.-]{0,20}\Z"))))
        if draw(st.booleans()):
            proxy["password"] = draw(secrets)
            proxy.update(draw(optional(update_password=st.sampled_from(["on_create", "always"]))))
    return proxy


product_items = st.one_of(
    titles,
    guids,
    st.fixed_dictionaries(
        {"title": titles}, optional={"type": st.sampled_from(["company", "product_family", "product"])}
    ),
    st.fixed_dictionaries({"id": guids}),
)
_key = repr
products = st.lists(product_items, max_size=30, unique_by=_key)
classifications = st.lists(st.one_of(titles, guids), max_size=50, unique_by=_key)
schedules = optional(automatic=st.booleans(), time=times, timezone=st.sampled_from(ZONES), per_day=st.integers(1, 24))
languages = st.one_of(st.just("all"), st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=10, unique=True))
storages = optional(local=st.booleans(), download_only_approved=st.booleans(), express_files=st.booleans())

mail_labels = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\Z")
mail_domains = st.lists(mail_labels, min_size=1, max_size=4).map(".".join)
local_parts = st.from_regex(r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9_+-]{1,10}){0,2}\Z")
addresses = st.builds("{}@{}".format, local_parts, mail_domains)
recipient_lists = st.lists(addresses, max_size=8, unique_by=str.lower)
one_line = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)


def _with_recipients(draw, part):
    if part.get("enabled") is True and part.get("recipients") == []:
        part["recipients"] = [draw(addresses)]
    return part


@st.composite
def smtp_settings(draw):
    smtp = draw(optional(host=hosts, port=ports, sender_name=one_line, sender_address=addresses))
    smtp.update(draw(optional(authentication=st.booleans(), user=one_line.filter(bool))))
    if smtp.get("authentication") is True and "user" not in smtp:
        smtp["user"] = draw(users)
    if "user" in smtp and smtp.get("authentication") is not False and draw(st.booleans()):
        smtp["password"] = draw(secrets)
        smtp.update(draw(optional(update_password=st.sampled_from(["on_create", "always"]))))
    return smtp


@st.composite
def notification_sections(draw):
    section = draw(optional(language=st.sampled_from(["en", "de", "ja", "zh-cn", "zh-tw", "pt-br"])))
    if draw(st.booleans()):
        section["new_updates"] = _with_recipients(
            draw, draw(optional(enabled=st.booleans(), recipients=recipient_lists))
        )
    if draw(st.booleans()):
        report = optional(
            enabled=st.booleans(),
            frequency=st.sampled_from(["daily", "weekly"]),
            time=times,
            timezone=st.sampled_from(ZONES),
            recipients=recipient_lists,
        )
        section["status_report"] = _with_recipients(draw, draw(report))
    if draw(st.booleans()):
        section["smtp"] = draw(smtp_settings())
    return section


@st.composite
def valid_documents(draw):
    document = draw(
        optional(
            update_source=update_sources,
            proxy=proxies(),
            products=products,
            classifications=classifications,
            schedule=schedules,
            languages=languages,
            storage=storages,
            notifications=notification_sections(),
        )
    )
    if document.get("update_source", {}).get("replica") is True:
        document.pop("products", None)
        document.pop("classifications", None)
    storage = document.get("storage", {})
    if storage.get("local") is False:
        for key in ("download_only_approved", "express_files"):
            if storage.get(key) is True:
                storage[key] = False
        if "languages" in document:
            document["languages"] = "all"
    return document


@SETTINGS
@given(valid_documents())
def test_generated_valid_documents_validate(document):
    violations = validate.validate_document(document)
    assert violations == [], validate.format_violations(violations)


ALL_KEYS = sorted(
    {k for section in validate.load_schema()["properties"].values() for k in section.get("properties", {})}
    | set(validate.load_schema()["properties"])
)


@SETTINGS
@given(valid_documents(), st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=20))
def test_an_unknown_key_is_always_reported(document, key):
    if key in validate.load_schema()["properties"]:
        return
    document = dict(document, **{key: 1})
    violations = validate.validate_document(document)
    assert ("wsus_sync." + key) in [v.path for v in violations]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 100000),
    st.floats(allow_nan=False),
    st.text(max_size=80),
    st.sampled_from(["all", "upstream", "03:00", "no", "8530"]),
)
junk = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(ALL_KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


@SETTINGS
@given(st.dictionaries(st.sampled_from(ALL_KEYS), junk, max_size=7), junk)
def test_anything_gives_violations_not_exceptions_and_no_password(document, password):
    secret = "Pangolin-Secret-0042"
    proxy = document.get("proxy")
    if isinstance(proxy, dict):
        proxy["password"] = secret
    else:
        document["proxy"] = {"password": [secret, password]}
    violations = validate.validate_document(document)
    report = validate.format_violations(violations)
    assert all(isinstance(v, validate.Violation) and v.path.startswith("wsus_sync") for v in violations)
    assert secret not in report
    assert len(set(violations)) == len(violations)
