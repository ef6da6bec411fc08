"""Finding a secret in output, also where it was base64-encoded (NTLM, Basic, SetProxyPassword bytes)."""

from __future__ import annotations

import base64


def secret_forms(secret):
    """The secret as text, and the stable middle of its base64 at each of the three alignments a
    longer base64 blob can give it, for its UTF-8 and its UTF-16LE bytes."""
    forms = {secret}
    for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
        for pad in range(3):
            text = base64.b64encode(b"\0" * pad + encoded).decode("ascii")
            start = (pad * 4 + 2) // 3 + 1  # skip the characters that mix in the padding
            forms.add(text[start : len(text) - 4])
    return forms


def leaks(text, secrets):
    """(secret, form) pairs of ``secrets`` found in ``text``."""
    return sorted({(secret, form) for secret in secrets for form in secret_forms(secret) if form in text})
