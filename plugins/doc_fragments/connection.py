# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  server:
    description:
      - Host name or address of the WSUS server.
      - >-
        The module runs on the controller (C(delegate_to: localhost)) and talks to the WSUS administrative
        web service ([MS-WSUSAR]) at C(/ApiRemoting30/WebService.asmx).
      - Falls back to the environment variable E(WSUS_SERVER).
    type: str
    required: true
  port:
    description:
      - TCP port of the WSUS web service.
      - Defaults to V(8530), or V(8531) with O(use_ssl=true).
    type: int
  use_ssl:
    description:
      - Talk HTTPS. Windows authentication then carries a channel binding (Extended Protection).
      - >-
        Without it, an NTLM logon (O(auth=ntlm), or O(auth=negotiate) when Kerberos is not available) crosses
        the network in the clear, where it can be relayed or cracked offline; the task then warns, once per run.
        Kerberos over HTTP does not warn.
    type: bool
    default: false
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set V(false) only for test servers.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the certificate authorities to trust for the server's certificate.
    type: path
  username:
    description:
      - Windows account, as C(DOMAIN\user) or C(user@REALM). It needs the WSUS Administrators role to
        change settings, or WSUS Reporters to read.
      - Kerberos needs the C(user@REALM) form (the realm in capitals); C(DOMAIN\user) is an NTLM name.
      - With O(auth=kerberos) or O(auth=negotiate) it may be omitted to use the ticket cache (C(kinit)); with a
        password, the ticket is got for this run only and the cache is not touched.
      - Falls back to the environment variable E(WSUS_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). Never logged or returned.
      - Falls back to the environment variable E(WSUS_PASSWORD).
    type: str
  auth:
    description:
      - Windows authentication protocol.
      - V(negotiate) uses Kerberos when the controller has a ticket for the server, or can get one with
        O(username) (as C(user@REALM)) and O(password), and NTLM otherwise.
      - V(kerberos) uses Kerberos only and never falls back to NTLM (for servers where NTLM is disabled). When no
        ticket can be had, the task fails saying why (no ticket, wrong password, unknown SPN, clock skew, KDC
        unreachable) and what to do. It needs the Python packages gssapi and krb5 (C(pyspnego[kerberos])) and
        the system's Kerberos libraries on the controller; see the collection's C(docs/kerberos.md).
    type: str
    choices: [negotiate, ntlm, kerberos]
    default: negotiate
  spn_host:
    description:
      - Host part of the service principal name (SPN) Kerberos asks a ticket for, C(HTTP/<spn_host>).
      - Defaults to O(server). Set it when O(server) is not the name the SPN is registered under, for example a
        DNS alias (CNAME), a load balancer's name or an IP address; give the server's own name (its FQDN).
    type: str
  timeout:
    description:
      - Seconds the server may stay silent, while connecting or between two pieces of an answer.
      - A server that keeps sending slowly is stopped by O(request_timeout) instead.
    type: int
    default: 60
  request_timeout:
    description:
      - Seconds one SOAP call may take in all (connecting, authenticating, sending, receiving the whole answer,
        and retries), however slowly the server sends.
      - The error message says which of O(timeout) and O(request_timeout) ran out.
    type: int
    default: 300
  max_response_mb:
    description:
      - Largest answer accepted from the server, in MiB. A larger one is refused before or while it is read,
        and the task fails naming the operation and this limit.
      - The largest real answer, the full category list of a server that offers every product, is about 2 MB.
        Raise the limit only for a server whose answers really are larger (a very long synchronization history).
    type: int
    default: 64
  culture:
    description:
      - Language of the titles of products and classifications (an RFC 1766 code). Titles are matched in
        this language; GUIDs never depend on it.
    type: str
    default: en
requirements:
  - pyspnego (Windows authentication; C(pyspnego[kerberos]), that is gssapi and krb5, for Kerberos)
  - cryptography
notes:
  - "The modules run on the Ansible controller. Use C(delegate_to: localhost) or C(connection: local)."
"""
