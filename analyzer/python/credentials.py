"""Known credential formats (AWS, GitHub, Stripe, Slack, Google, private keys, JWTs...):
anchored, provider-specific patterns, found in plain strings.

Nothing here returns a secret in a message: callers show at most
`factorscan.core.redact.redact(value)`."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

# -- credential formats -------------------------------------------------------------

__all__ = [
    "AWS_SECRET_FORMAT",
    "CREDENTIAL_FORMATS",
    "SAMPLE_MARKERS",
    "CredentialFormat",
    "CredentialMatch",
    "find_credential",
    "find_credentials",
]


@dataclass(frozen=True)
class CredentialFormat:
    key: str
    label: str
    pattern: re.Pattern[str]
    env_name: str
    # Also reported in test files: live provider keys are real wherever they are.
    in_tests: bool = True


@dataclass(frozen=True)
class CredentialMatch:
    format: CredentialFormat
    value: str  # the matched credential (redact it before showing)


def _jwt_is_real(token: str) -> bool:
    """A JWT whose header decodes to JSON with an `alg`."""
    header = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
        data = json.loads(decoded)
    except (binascii.Error, ValueError):
        return False
    return isinstance(data, dict) and "alg" in data


CREDENTIAL_FORMATS: tuple[CredentialFormat, ...] = (
    CredentialFormat(
        "aws-access-key-id",
        "AWS access key id",
        re.compile(
            r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])"
        ),
        "AWS_ACCESS_KEY_ID",
    ),
    CredentialFormat(
        "github-token",
        "GitHub token",
        re.compile(
            r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})"
        ),
        "GITHUB_TOKEN",
    ),
    CredentialFormat(
        "gitlab-token",
        "GitLab token",
        re.compile(r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}"),
        "GITLAB_TOKEN",
    ),
    CredentialFormat(
        "slack-token",
        "Slack token",
        re.compile(r"(?<![A-Za-z0-9])xox[abposr]-(?:\d+-)+[A-Za-z0-9]{10,}(?:-[A-Za-z0-9]+)*"),
        "SLACK_TOKEN",
    ),
    CredentialFormat(
        "slack-webhook",
        "Slack webhook URL",
        re.compile(
            r"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"
        ),
        "SLACK_WEBHOOK_URL",
    ),
    CredentialFormat(
        "stripe-live-key",
        "Stripe live key",
        re.compile(r"(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{20,}"),
        "STRIPE_SECRET_KEY",
    ),
    CredentialFormat(
        "google-api-key",
        "Google API key",
        re.compile(r"(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"),
        "GOOGLE_API_KEY",
    ),
    CredentialFormat(
        "sendgrid-api-key",
        "SendGrid API key",
        re.compile(r"(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),
        "SENDGRID_API_KEY",
    ),
    CredentialFormat(
        "twilio-api-key",
        "Twilio API key",
        re.compile(r"(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])"),
        "TWILIO_API_KEY",
    ),
    CredentialFormat(
        "sentry-token",
        "Sentry auth token",
        re.compile(r"(?<![A-Za-z0-9])(?:sntrys_[A-Za-z0-9+/=_-]{40,}|sntryu_[0-9a-f]{64})"),
        "SENTRY_AUTH_TOKEN",
    ),
    CredentialFormat(
        "openai-api-key",
        "OpenAI API key",
        re.compile(
            r"(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}"
        ),
        "OPENAI_API_KEY",
    ),
    CredentialFormat(
        "anthropic-api-key",
        "Anthropic API key",
        re.compile(r"(?<![A-Za-z0-9])sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}"),
        "ANTHROPIC_API_KEY",
    ),
    CredentialFormat(
        "npm-token",
        "npm token",
        re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
        "NPM_TOKEN",
    ),
    CredentialFormat(
        "pypi-token",
        "PyPI upload token",
        re.compile(r"(?<![A-Za-z0-9])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        "PYPI_TOKEN",
    ),
    CredentialFormat(
        "private-key",
        "private key",
        re.compile(
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
            r"[\s\\n]*[A-Za-z0-9+/=:\s\\n,-]{32,}"
        ),
        "PRIVATE_KEY",
        in_tests=False,
    ),
    CredentialFormat(
        "jwt",
        "JSON Web Token",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
        "JWT_TOKEN",
        in_tests=False,
    ),
    CredentialFormat(
        "django-insecure-key",
        "Django secret key",
        re.compile(r"django-insecure-[^\s'\"]{20,}"),
        "SECRET_KEY",
        in_tests=False,
    ),
)
# An AWS secret access key has no prefix: 40 base64 characters. Alone that
# would match hashes, so it counts by format only with upper, lower, digit
# and a `/` or `+`, or when the name already says it is an AWS secret.
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
AWS_SECRET_FORMAT = CredentialFormat(
    "aws-secret-access-key", "AWS secret access key", _AWS_SECRET, "AWS_SECRET_ACCESS_KEY"
)
# Substrings that mark a sample credential (AWS documents AKIAIOSFODNN7EXAMPLE).
SAMPLE_MARKERS = ("example", "sample", "dummy", "fake", "placeholder", "xxxxxx", "redacted", "changeme")


def _low_variety(text: str) -> bool:
    """`ghp_xxxxxxxx...`, `sk_live_000000...`: filler, not a key."""
    return len(set(text)) < 6


def _aws_secret_candidate(value: str) -> bool:
    return (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
        and ("/" in value or "+" in value)
    )


def find_credential(text: str, aws_context: bool = False) -> CredentialMatch | None:
    """The first known credential format in `text`, skipping samples and filler.

    `aws_context`: the name says this is an AWS secret, so any 40-character
    base64 value counts.
    """
    if len(text) < 16:
        return None
    return next((match for _, _, match in find_credentials(text, aws_context)), None)


def find_credentials(
    text: str, aws_context: bool = False, guess_aws_secret: bool = True
) -> Iterator[tuple[int, int, CredentialMatch]]:
    """(start, end, match) of every known credential format in `text`, in format order.

    `guess_aws_secret=False` leaves out prefix-less 40-character AWS secret
    keys unless `aws_context` says the text is about one: in long free text
    (a shell command) such runs are too often paths or base64 data.
    """
    if len(text) < 16:
        return
    for credential in CREDENTIAL_FORMATS:
        for match in credential.pattern.finditer(text):
            found = match.group(0)
            lowered = found.lower()
            if any(marker in lowered for marker in SAMPLE_MARKERS) or _low_variety(found[6:]):
                continue
            if credential.key == "jwt" and not _jwt_is_real(found):
                continue
            yield match.start(), match.end(), CredentialMatch(credential, found)
    if not (guess_aws_secret or aws_context):
        return
    for match in _AWS_SECRET.finditer(text):
        found = match.group(0)
        if any(marker in found.lower() for marker in SAMPLE_MARKERS) or _low_variety(found):
            continue
        if aws_context or _aws_secret_candidate(found):
            yield match.start(), match.end(), CredentialMatch(AWS_SECRET_FORMAT, found)
