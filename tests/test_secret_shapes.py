"""Secrets written in less common shapes are found, and never printed (issue 15, item 17)."""

from __future__ import annotations

import json

from .conftest import run_cli

SECRETS = ("s3cr3t-Pass-42", "7c1d0e9f8a2b3c4d5e6f7a8b9c0d1e2f", "4f3c2a1b", "0e9d8c7b", "f3b1c9a07e2d4c58")


def test_each_shape_is_reported_in_every_format_without_its_characters(project) -> None:
    root = project(
        {
            # Alone in its file: only the config key names the secret (the prefilter's case).
            "config.py": 'app.config["SECRET_KEY"] = "f3b1c9a07e2d4c58"\n',
            "app.py": (
                'USER, PASSWORD = "shop", "s3cr3t-Pass-42"\n'
                'SECRET_KEY = f"7c1d0e9f8a2b3c4d5e6f7a8b9c0d1e2f"\n'
                'API_KEY = "4f3c2a1b" + "0e9d8c7b"\n'
            ),
            "env.py": 'import os\n\nTOKEN = os.environ.get("API_TOKEN") or "tok-7Hq2Lm9Xv4Rw"\n',
        }
    )
    result = run_cli("--no-cache", "--format", "json", ".", cwd=root)
    found = sorted(
        (item["filename"], item["location"]["row"], item["code"]) for item in json.loads(result.stdout)
    )
    assert found == [
        ("app.py", 1, "FS0301"),
        ("app.py", 2, "FS0301"),
        ("app.py", 3, "FS0301"),
        ("config.py", 1, "FS0301"),
        ("env.py", 3, "FS0302"),
    ]
    for output_format in ("json", "full", "concise", "sarif"):
        output = run_cli("--no-cache", "--format", output_format, ".", cwd=root)
        for secret in (*SECRETS, "tok-7Hq2Lm9Xv4Rw"):
            assert secret not in output.stdout + output.stderr, (output_format, secret)


# Each file holds one credential shape and nothing else FS0301's prefilter knows (no
# secret-like name, no credential format): dropping that shape's trigger hides the finding.
SHAPE_ONLY = {
    "basic.py": 'import httpx\n\nclient = httpx.Client(auth=httpx.BasicAuth("deploy", "d3ploy-Key-99"))\n',
    "digest.py": 'import httpx\n\nhttpx.get("https://ci.internal/api", auth=httpx.DigestAuth("ops", "0ps-Digest-42"))\n',
    "proxy.py": (
        "import requests\n\n"
        'proxies = {"https": "http://proxy.internal:3128"}\n'
        'requests.get("https://api.acme.io", proxies=proxies, auth=requests.auth.HTTPProxyAuth("egress", "Pr0xy-Pa55-7"))\n'
    ),
    "rabbit.py": 'import pika\n\nlogin = pika.PlainCredentials("orders", "rabbit-Pa55word")\n',
    "pair.py": 'import requests\n\nrequests.get("https://ci.internal/api", auth=("bot", "b0t-Secret-7"))\n',
    "pair_spaced.py": 'import requests\n\nrequests.get("https://ci.internal/api", auth = ("bot", "b0t-Secret-8"))\n',
    "mail.py": (
        "import smtplib\n\n"
        "def send(message):\n"
        '    with smtplib.SMTP_SSL("smtp.acme.io") as smtp:\n'
        '        smtp.login("alerts@acme.io", "Sm7p-Alerts-2024")\n'
        "        smtp.send_message(message)\n"
    ),
    "session.py": 'import jwt\n\ndef issue(user_id):\n    return jwt.encode({"sub": user_id}, "k8s-a1b2c3d4e5f6", algorithm="HS256")\n',
    "links.py": 'from itsdangerous import URLSafeTimedSerializer\n\nlinks = URLSafeTimedSerializer("f3b1c9a07e2d4c58")\n',
    "cookies.py": 'from itsdangerous import TimestampSigner\n\ncookie_signer = TimestampSigner("9f8e7d6c5b4a3928")\n',
}


def test_each_credential_shape_is_found_by_its_own_trigger(project) -> None:
    root = project(SHAPE_ONLY)
    result = run_cli("--no-cache", "--format", "json", "--select", "FS0301", ".", cwd=root)
    found = sorted(item["filename"] for item in json.loads(result.stdout))
    assert found == sorted(SHAPE_ONLY)
