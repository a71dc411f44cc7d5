"""Helpers shared by the config rules."""

from __future__ import annotations

import re

# Shapes that carry a credential without a secret-like name.
CREDENTIAL_SHAPES = (
    re.compile(rb"://[^/\s'\"@:]+:[^/\s'\"@]+@"),  # user:password@ in a URL
    b"BasicAuth",
    b"DigestAuth",
    b"ProxyAuth",
    b"PlainCredentials",
    b"auth=(",
    b"auth = (",
    b".login(",
    b"jwt.",
    b"Serializer(",
    b"Signer(",
)


# Prefixes of the credential formats in factorscan.python.secrets.
FORMAT_TRIGGERS = (
    b"AKIA",
    b"ASIA",
    b"ghp_",
    b"gho_",
    b"ghu_",
    b"ghs_",
    b"ghr_",
    b"github_pat_",
    b"glpat-",
    b"xox",
    b"hooks.slack.com",
    b"k_live_",
    b"AIza",
    b"SG.",
    b"sntrys_",
    b"sntryu_",
    b"T3BlbkFJ",
    b"sk-ant-",
    b"npm_",
    b"pypi-AgEI",
    b"PRIVATE KEY",
    b"eyJ",
    b"django-insecure-",
)


TEST_FILES_NOTE = (
    "only credential formats (AWS, GitHub, Slack, Stripe live...) are reported there, and in settings "
    "modules for development, tests or CI (by name, `settings/ci.py`, or by a header that says so): "
    "other secrets there are fixtures"
)


REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
