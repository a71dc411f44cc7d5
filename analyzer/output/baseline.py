"""`--write-baseline FILE` and `--baseline FILE`: accept today's findings, flag only new ones.

The file is JSON, sorted and stable so that it diffs well under version
control. It holds fingerprints (see `factorscan.output.fingerprints`), rule codes and
paths: never a line number, a message or a source line, so it cannot hold a
secret, and inserting lines does not churn it. Each write replaces the whole
file with the current findings, so a finding that disappears is dropped.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from factorscan import __version__
from factorscan.core.errors import UsageError
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.output.fingerprints import fingerprints

FORMAT_VERSION = 1


def baseline_entries(
    findings: Sequence[Finding], sources: Mapping[str, SourceFile], root: Path
) -> list[dict[str, str]]:
    entries = [
        {"code": finding.code, "path": fingerprint.path, "fingerprint": fingerprint.value}
        for finding, fingerprint in zip(findings, fingerprints(findings, sources, root), strict=True)
    ]
    return sorted(entries, key=lambda entry: (entry["path"], entry["code"], entry["fingerprint"]))


def write_baseline(
    path: Path, findings: Sequence[Finding], sources: Mapping[str, SourceFile], root: Path
) -> int:
    """Write the baseline atomically; returns how many findings it holds."""
    entries = baseline_entries(findings, sources, root)
    document = {"factorscan-baseline": FORMAT_VERSION, "findings": entries}
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    directory = path.absolute().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"--write-baseline {path}: {exc.strerror or exc}") from None
    return len(entries)


def read_baseline(path: Path) -> set[str]:
    """The fingerprints in a baseline file; every problem is a one-line UsageError."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--baseline {path}: no such file (create it with --write-baseline)") from None
    except OSError as exc:
        raise UsageError(f"--baseline {path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"--baseline {path}: not a factorscan baseline (invalid JSON)") from None
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("factorscan-baseline"), int)
        or not isinstance(document.get("findings"), list)
    ):
        raise UsageError(f"--baseline {path}: not a factorscan baseline")
    if document["factorscan-baseline"] > FORMAT_VERSION:
        raise UsageError(
            f"--baseline {path}: written by a newer factorscan (this is {__version__}); upgrade to read it"
        )
    return {
        entry["fingerprint"]
        for entry in document["findings"]
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
    }


def filter_baseline(
    findings: Sequence[Finding], sources: Mapping[str, SourceFile], root: Path, known: set[str]
) -> list[Finding]:
    """The findings whose fingerprint is not in the baseline."""
    return [
        finding
        for finding, fingerprint in zip(findings, fingerprints(findings, sources, root), strict=True)
        if fingerprint.value not in known
    ]
