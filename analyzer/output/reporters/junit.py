"""JUnit XML for CI dashboards: a testsuite per file, a failing testcase per finding.

A run without findings is one passing testcase, so dashboards show that the
check ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TextIO

from factorscan.output.reporters import Report


def junit_tree(report: Report) -> ET.Element:
    total = len(report.findings)
    root = ET.Element("testsuites", name="factorscan", tests=str(max(total, 1)), failures=str(total))
    if not report.findings:
        suite = ET.SubElement(root, "testsuite", name="factorscan", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="No findings", classname="factorscan")
        return root
    for path, group in groupby(report.findings, key=lambda finding: finding.path):
        findings = list(group)
        suite = ET.SubElement(
            root, "testsuite", name=path, tests=str(len(findings)), failures=str(len(findings)), errors="0"
        )
        for finding in findings:
            where = f"{finding.location.row}:{finding.location.column}"
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{finding.code} ({finding.name}) at {where}",
                classname=path,
                file=path,
                line=str(finding.location.row),
            )
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
            failure.text = f"{path}:{where}: {finding.code} {finding.message}"
    return root


def write(report: Report, stream: TextIO) -> None:
    tree = junit_tree(report)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(tree, encoding="unicode"))
    stream.write("\n")
