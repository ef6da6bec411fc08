"""Where things are: the checkout, and the shared reference material beside it (not in the repo)."""

from __future__ import annotations

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(os.path.dirname(REPO), "shared", "reference")
