"""A JSON list, one object per finding, in the shape DESIGN.md fixes."""

from __future__ import annotations

import json
from typing import TextIO

from factorscan.output.reporters import Report


def write(report: Report, stream: TextIO) -> None:
    json.dump([finding.to_json() for finding in report.findings], stream, indent=2, ensure_ascii=False)
    stream.write("\n")
