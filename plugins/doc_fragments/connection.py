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
      - With O(auth=kerberos) it may be omitted to use the ticket cache.
      - Falls back to the environment variable E(WSUS_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). Never logged or returned.
      - Falls back to the environment variable E(WSUS_PASSWORD).
    type: str
  auth:
    description:
      - Windows authentication protocol. V(negotiate) uses Kerberos when it can and NTLM otherwise.
    type: str
    choices: [negotiate, ntlm, kerberos]
    default: negotiate
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: int
    default: 60
  culture:
    description:
      - Language of the titles of products and classifications (an RFC 1766 code). Titles are matched in
        this language; GUIDs never depend on it.
    type: str
    default: en
requirements:
  - pyspnego (Windows authentication; with gssapi/krb5 for Kerberos)
  - cryptography
notes:
  - "The modules run on the Ansible controller. Use C(delegate_to: localhost) or C(connection: local)."
"""
