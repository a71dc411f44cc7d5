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
