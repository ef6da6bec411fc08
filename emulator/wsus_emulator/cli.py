"""Command line: start one or more emulated WSUS servers and print one JSON line describing them."""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from typing import List, Optional

from . import __version__
from .auth import (
    AuthPolicy,
    UserTable,
    UsersError,
    channel_bindings_for,
    default_users,
    install_user_file,
    keytab_principals,
    load_users,
    same_service_principal,
)
from .catalog import Catalog, CatalogError
from .hierarchy import DEFAULT_NAME, Hierarchy, check_name
from .schema import PROFILES, Schema
from .server import EmulatedServer
from .state import LANGUAGE_ROW_LAYOUTS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsus-emulator",
        description="A WSUS server emulator: the [MS-WSUSAR] ApiRemoting30 SOAP service with NTLM/Negotiate "
        "authentication, simulated synchronizations and a JSON control API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8530, help="first port (default 8530); 0 picks a free port for every server"
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        metavar="N",
        help="N independent servers on consecutive ports, each with its own state (default 1)",
    )
    parser.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="NAME",
        help="the full domain name of a server, repeatable: the i-th names the i-th server (default "
        + DEFAULT_NAME.replace("%d", "<port>")
        + "); a downstream whose UpstreamServerName is it (or 127.0.0.1, localhost) registers there",
    )
    parser.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a generated CA and server certificate (printed as ca_path)"
    )
    parser.add_argument("--tls-cert", metavar="PEM", help="server certificate (chain) to use; implies --tls")
    parser.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert (if not inside it)")
    parser.add_argument(
        "--users",
        metavar="FILE",
        help="replace the built-in users; lines DOMAIN\\user:password:role (role administrator|reporter|none)",
    )
    parser.add_argument(
        "--kerberos-keytab",
        metavar="FILE",
        help="accept Kerberos (Negotiate with a SPNEGO-wrapped or bare Kerberos token) with the keys in FILE "
        "(becomes KRB5_KTNAME; krb5.conf from KRB5_CONFIG as usual). Needs the gssapi and krb5 Python packages",
    )
    parser.add_argument(
        "--kerberos-spn",
        metavar="SPN",
        help="accept only tickets for this service principal, HTTP/<name> (default: any key in the keytab, as IIS "
        "accepts any ticket its account's key decrypts)",
    )
    parser.add_argument(
        "--kerberos-realm",
        metavar="REALM=DOMAIN",
        action="append",
        default=[],
        help="a Kerberos principal user@REALM is the user DOMAIN\\user (default: the realm's first label, "
        "user@WSUS.TEST is WSUS\\user); repeatable",
    )
    parser.add_argument(
        "--no-ntlm",
        action="store_true",
        help="refuse NTLM, raw or inside Negotiate (a server where NTLM is disabled); 401s offer only Negotiate. "
        "Needs --kerberos-keytab",
    )
    parser.add_argument(
        "--require-channel-binding",
        action="store_true",
        help="refuse a logon (NTLM or Kerberos) that carries no verified tls-server-end-point channel binding "
        "(IIS Extended Protection 'Required'; the default is 'Accept'). Needs --tls",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="ws2022",
        help="ConfigurationTableRow shape: ws2022 (121 fields, default) or spec (119)",
    )
    parser.add_argument(
        "--language-rows",
        choices=LANGUAGE_ROW_LAYOUTS,
        default="live",
        help="ExecuteSPGetAllLanguagesWithEnabledState row layout and the matching item type of "
        "the ExecuteSPSetConfiguration language lists: live [ShortLanguage, Enabled, "
        "UssEnabled] with short-code strings (default), or spec [LanguageID, ShortLanguage, "
        "LongLanguage, Enabled] with LanguageID ints",
    )
    parser.add_argument(
        "--sync-seconds",
        type=float,
        default=5.0,
        metavar="S",
        help="duration of a simulated synchronization (default 5)",
    )
    parser.add_argument(
        "--stop-seconds",
        type=float,
        default=0.5,
        metavar="S",
        help="how long StopSubscription leaves a run stopping (state 2) before it ends canceled (default 0.5)",
    )
    parser.add_argument(
        "--save-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="for S seconds after ExecuteSPSetConfiguration the server is saving its configuration "
        "and refuses to start a synchronization (default 0: never)",
    )
    parser.add_argument(
        "--cancel-event",
        type=int,
        choices=(385, 387),
        default=385,
        help="the event id a canceled synchronization writes (default 385)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="delay every answer of the SOAP endpoint by MS milliseconds",
    )
    parser.add_argument(
        "--state-dir", metavar="DIR", help="persist each server's state as DIR/server-<port>.json across restarts"
    )
    parser.add_argument("--control", action="store_true", help="enable the /_emulator/ control API")
    parser.add_argument(
        "--catalog-dir",
        metavar="DIR",
        help="read categories.json, classifications.json and languages.json from DIR "
        "(files missing there come from the packaged data)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log requests and errors to stderr")
    parser.add_argument("--version", action="version", version="wsus-emulator " + __version__)
    return parser


def _tls_files(args, parser) -> tuple:
    """(cert_path, key_path, ca_path or None)"""
    if args.tls_cert:
        return args.tls_cert, args.tls_key, None
    if args.tls_key:
        parser.error("--tls-key needs --tls-cert")
    from . import tlsutil

    if args.state_dir:
        directory = os.path.join(args.state_dir, "tls")
        paths = [os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server-key.pem")]
        if all(os.path.isfile(path) for path in paths):
            return paths[1], paths[2], paths[0]
    else:
        directory = tempfile.mkdtemp(prefix="wsus-emulator-tls-")
        atexit.register(shutil.rmtree, directory, True)
    ca_path, cert_path, key_path = tlsutil.generate(directory, args.host)
    return cert_path, key_path, ca_path


def _kerberos(args) -> Optional[List[str]]:
    """Points KRB5_KTNAME at --kerberos-keytab; its principals. Without a keytab, Kerberos is off: KRB5_KTNAME
    names no keys, so that no default keytab of the machine answers either. ValueError: a bad setting."""
    if not args.kerberos_keytab:
        if args.kerberos_spn:
            raise ValueError("--kerberos-spn needs --kerberos-keytab")
        os.environ["KRB5_KTNAME"] = "FILE:" + os.devnull
        return None
    path = os.path.abspath(args.kerberos_keytab)
    if not os.path.isfile(path):
        raise ValueError("--kerberos-keytab %s is not a file" % args.kerberos_keytab)
    try:
        for name in ("gssapi", "krb5"):  # pyspnego offers Kerberos only when both import
            importlib.import_module(name)
    except ImportError as error:
        raise ValueError(
            "Kerberos needs the Python packages gssapi and krb5 (pip install 'pyspnego[kerberos]'; they compile "
            "against the system's libkrb5, e.g. Debian's libkrb5-dev): %s" % error
        ) from None
    principals = keytab_principals(path)
    if not principals:
        raise ValueError("the keytab %s holds no keys" % path)
    if args.kerberos_spn and not any(same_service_principal(args.kerberos_spn, name) for name in principals):
        raise ValueError(
            "the keytab %s has no key for %s (it has %s)" % (path, args.kerberos_spn, ", ".join(principals))
        )
    os.environ["KRB5_KTNAME"] = "FILE:" + path
    return principals


def _realms(args) -> dict:
    realms = {}
    for item in args.kerberos_realm:
        realm, sep, domain = item.partition("=")
        if not sep or not realm or not domain:
            raise ValueError("--kerberos-realm %r: expected REALM=DOMAIN" % item)
        realms[realm] = domain
    return realms


def _check_names(args, parser) -> None:
    if len(args.name) > args.servers:
        parser.error("%d --name options for %d server(s)" % (len(args.name), args.servers))
    for name in args.name:
        try:
            check_name(name)
        except ValueError as error:
            parser.error("--name: %s" % error)
    lowered = [name.lower() for name in args.name]
    if len(set(lowered)) != len(lowered):
        parser.error("--name: every server needs its own name (%s)" % ", ".join(args.name))


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.servers < 1:
        parser.error("--servers must be at least 1")
    if args.port < 0 or args.port + args.servers - 1 > 65535:
        parser.error("--port out of range")
    if args.sync_seconds <= 0:
        parser.error("--sync-seconds must be > 0")
    if args.stop_seconds < 0 or args.save_seconds < 0:
        parser.error("--stop-seconds and --save-seconds must be >= 0")
    _check_names(args, parser)
    if args.no_ntlm and not args.kerberos_keytab:
        parser.error("--no-ntlm needs --kerberos-keytab (nobody could log on)")
    if args.require_channel_binding and not (args.tls or args.tls_cert):
        parser.error("--require-channel-binding needs --tls (Extended Protection binds the logon to the TLS channel)")
    try:
        users = load_users(args.users) if args.users else default_users()
        catalog = Catalog(args.catalog_dir)
        schema = Schema(args.profile)
        realms = _realms(args)
        kerberos_principals = _kerberos(args)
    except (UsersError, CatalogError, OSError, ValueError) as error:
        sys.stderr.write("wsus-emulator: %s\n" % error)
        return 2
    install_user_file(users)
    table = UserTable(users, realms)
    policy = AuthPolicy(
        ntlm=not args.no_ntlm,
        kerberos=kerberos_principals is not None,
        kerberos_spn=args.kerberos_spn,
        require_channel_binding=args.require_channel_binding,
    )

    ssl_context = bindings = None
    ca_path = None
    if args.tls or args.tls_cert:
        from . import tlsutil

        try:
            cert_path, key_path, ca_path = _tls_files(args, parser)
            ssl_context = tlsutil.server_context(cert_path, key_path)
            bindings = channel_bindings_for(tlsutil.leaf_certificate_der(cert_path))
        except (OSError, ValueError) as error:
            sys.stderr.write("wsus-emulator: TLS: %s\n" % error)
            return 2
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)

    servers: List[EmulatedServer] = []
    hierarchy = Hierarchy(args.host, args.state_dir)  # the servers of this process, upstream and downstream
    try:
        for index in range(args.servers):
            port = 0 if args.port == 0 else args.port + index
            servers.append(
                EmulatedServer(
                    args.host,
                    port,
                    catalog,
                    schema,
                    table,
                    sync_seconds=args.sync_seconds,
                    latency_ms=args.latency_ms,
                    state_dir=args.state_dir,
                    control_api=args.control,
                    language_rows=args.language_rows,
                    ssl_context=ssl_context,
                    channel_bindings=bindings,
                    verbose=args.verbose,
                    auth_policy=policy,
                    name=args.name[index] if index < len(args.name) else None,
                    servers=hierarchy,
                )
            )
    except (OSError, ValueError) as error:
        for server in servers:
            server.httpd.server_close()
        sys.stderr.write("wsus-emulator: cannot start: %s\n" % error)
        return 2

    for server in servers:
        server.state.set_initial_sync_settings(
            {"stop_seconds": args.stop_seconds, "save_seconds": args.save_seconds, "cancel_event": args.cancel_event}
        )

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for server in servers:
        server.start()
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else ("::1" if args.host == "::" else args.host)
    start_line = {
        "pid": os.getpid(),
        "urls": [server.url(shown_host) for server in servers],
        "ports": [server.port for server in servers],
        "ca_path": os.path.abspath(ca_path) if ca_path else None,
        "control": bool(args.control),
        "names": [server.member.name for server in servers],
        "ids": [server.member.server_id for server in servers],
    }
    if kerberos_principals is not None:
        start_line["kerberos_principals"] = kerberos_principals  # the service principals it accepts tickets for
    sys.stdout.write(json.dumps(start_line) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
