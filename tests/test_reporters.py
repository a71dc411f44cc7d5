"""The CI and review formats, checked against their consumers' schemas and rules."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from factorscan.core.findings import Applicability, Edit, Finding, Fix, Location, Severity
from factorscan.core.source import SourceFile
from factorscan.output.reporters import FORMATS, Report, writer

from .conftest import FIXTURES, run_cli

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())

# Two FS1101 findings, one on a line with non-ASCII text before the finding.
APP = """\
import logging

greeting = "héllo wörld"; handler = logging.FileHandler("app.log")
other = logging.FileHandler("other.log")
"""


def _cli(root: Path, *args: str) -> str:
    result = run_cli("--select", "FS11", "--no-cache", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_sarif_is_valid_and_complete(project) -> None:
    root = project({"app.py": APP})
    document = json.loads(_cli(root, "--format", "sarif", "."))
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, errors[0]
    (run,) = document["runs"]
    assert run["automationDetails"]["id"] == "factorscan/"
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    rule = rules["FS1101"]
    assert rule["name"] == "log-file-handler"
    assert rule["shortDescription"]["text"]
    assert rule["fullDescription"]["text"].startswith("Finds logging configured to write to files")
    assert "## Why is this bad?" in rule["help"]["markdown"]
    assert rule["helpUri"].endswith("/docs/rules/FS1101.md")
    assert rule["defaultConfiguration"]["level"] == "warning"
    first, second = run["results"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 37, "endLine": 3, "endColumn": 67}
    assert first["ruleId"] == "FS1101"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "FS1101"
    assert "fixes" not in first
    hashes = [result["partialFingerprints"]["primaryLocationLineHash"] for result in (first, second)]
    assert len(set(hashes)) == 2
    # Stable across runs and across unrelated edits above the findings.
    (root / "app.py").write_text("# a new comment\n\n" + APP)
    again = json.loads(_cli(root, "--format", "sarif", "."))["runs"][0]["results"]
    assert [r["partialFingerprints"]["primaryLocationLineHash"] for r in again] == hashes
    assert again[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5


def test_sarif_uris_are_relative_to_the_repository(project) -> None:
    """A project in a monorepo sub-folder still reports repo-relative URIs."""
    root = project(
        {"services/shop/pyproject.toml": "[project]\nname = 'shop'\n", "services/shop/app.py": APP}
    )
    document = json.loads(_cli(root / "services" / "shop", "--format", "sarif", "."))
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    }
    assert uris == {"services/shop/app.py"}
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"


def test_sarif_of_a_clean_project_is_valid(project) -> None:
    root = project({"app.py": "print('hi')\n"})
    document = json.loads(_cli(root, "--format", "sarif", "."))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    assert document["runs"][0]["results"] == []


def test_github_workflow_commands(project) -> None:
    root = project({"app.py": APP})
    lines = _cli(root, "--format", "github", ".").splitlines()
    assert lines[0] == (
        "::warning file=app.py,line=3,col=37,endLine=3,endColumn=67,title=FS1101 (log-file-handler)"
        "::FileHandler writes logs to a file; stream them to stdout (fixable with `factorscan --fix`)"
    )
    assert len(lines) == 2


def test_github_escaping() -> None:
    from factorscan.output.reporters.github import escape_data, escape_property

    assert escape_data("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_rdjson_byte_columns_and_whole_line_suggestion(project) -> None:
    root = project({"app.py": APP})
    document = json.loads(_cli(root, "--format", "rdjson", "."))
    assert document["source"]["name"] == "factorscan"
    first, second = document["diagnostics"]
    # "é" and "ö" are two bytes each in UTF-8: code-point column 37 is byte column 39.
    assert first["location"] == {
        "path": "app.py",
        "range": {"start": {"line": 3, "column": 39}, "end": {"line": 3, "column": 69}},
    }
    line = APP.splitlines()[2].encode()
    start, end = first["location"]["range"]["start"]["column"], first["location"]["range"]["end"]["column"]
    assert line[start - 1 : end - 1] == b'logging.FileHandler("app.log")'
    assert first["code"] == {
        "value": "FS1101",
        "url": "https://github.com/factorscan/factorscan/blob/main/docs/rules/FS1101.md",
    }
    assert first["severity"] == "WARNING"
    (suggestion,) = first["suggestions"]
    # Line-wise (no columns) over exactly the finding's line: a GitHub suggestion block.
    assert suggestion["range"] == {"start": {"line": 3}, "end": {"line": 3}}
    assert suggestion["text"] == 'greeting = "héllo wörld"; handler = logging.StreamHandler(sys.stdout)'
    assert first["message"].endswith("(to apply the suggestion, also add `import sys` at line 2)")
    assert second["suggestions"][0]["text"] == "other = logging.StreamHandler(sys.stdout)"


def test_rdjson_suggests_no_fix_that_also_changes_other_lines(project) -> None:
    """A fileConfig fix rewrites `class=` and `args=`: half of it would break the config."""
    ini = "[handlers]\nkeys=file\n\n[handler_file]\nclass=FileHandler\nlevel=INFO\nargs=('app.log',)\n"
    root = project({"logging.ini": ini})
    (diagnostic,) = json.loads(_cli(root, "--format", "rdjson", "."))["diagnostics"]
    assert diagnostic["location"]["range"]["start"]["line"] == 5
    assert "suggestions" not in diagnostic
    markdown = _cli(root, "--format", "markdown", ".")
    assert "-class=FileHandler\n  +class=StreamHandler" in markdown
    assert "-args=('app.log',)\n  +args=(sys.stdout,)" in markdown


def test_rdjson_suggests_unsafe_fixes_only_when_asked() -> None:
    source = SourceFile(Path("app.py").absolute(), "app.py", b'TOKEN = "abc"\n')
    finding = _finding(source, 'os.environ["TOKEN"]', Applicability.UNSAFE, sensitive=False)
    for unsafe, expected in ((False, False), (True, True)):
        report = Report([finding], {"app.py": source}, 1, unsafe_fixes=unsafe)
        output = io.StringIO()
        writer("rdjson")(report, output)
        (diagnostic,) = json.loads(output.getvalue())["diagnostics"]
        assert ("suggestions" in diagnostic) is expected


def test_gitlab_code_quality(project) -> None:
    root = project({"app.py": APP})
    issues = json.loads(_cli(root, "--format", "gitlab", "."))
    assert [issue["location"] for issue in issues] == [
        {"path": "app.py", "lines": {"begin": 3, "end": 3}},
        {"path": "app.py", "lines": {"begin": 4, "end": 4}},
    ]
    for issue in issues:
        assert issue["check_name"] == "FS1101"
        assert issue["severity"] == "minor"
        assert issue["description"].startswith("FS1101 (log-file-handler) ")
        assert len(issue["fingerprint"]) == 32
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_junit_suite_per_file_failure_per_finding() -> None:
    result = run_cli(
        "--select", "FS11", "--no-cache", "--format", "junit", "fixtures/demo_app", cwd=FIXTURES.parent
    )
    assert result.returncode == 1, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    names = [suite.get("name") for suite in suites]
    assert len(names) == len(set(names))
    assert "fixtures/demo_app/shop/logging_setup.py" in names
    cases = root.findall("testsuite/testcase")
    assert len(cases) == int(root.get("failures", "0")) > 0
    assert all(case.find("failure") is not None for case in cases)
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type", "").startswith("FS11")


def test_junit_clean_run_is_one_passing_case(project) -> None:
    root = project({"app.py": "print('hi')\n"})
    tree = ET.fromstring(_cli(root, "--format", "junit", "."))
    cases = tree.findall("testsuite/testcase")
    assert len(cases) == 1
    assert cases[0].find("failure") is None


def test_markdown_scorecard_groups_and_fix_diffs() -> None:
    result = run_cli("--no-cache", "--format", "markdown", "fixtures/demo_app", cwd=FIXTURES.parent)
    out = result.stdout
    assert out.startswith("## factorscan\n")
    assert "| XI | Logs |" in out
    assert "### XI Logs" in out
    assert "<details><summary>Fix: Log to stdout: '-'</summary>" in out
    assert '-accesslog = "/var/log/gunicorn/access.log"\n  +accesslog = "-"' in out


def test_markdown_stays_short_with_hundreds_of_findings(project) -> None:
    lines = ["import logging", *(f'h{i} = logging.FileHandler("f{i}.log")' for i in range(300))]
    root = project({"app.py": "\n".join(lines) + "\n"})
    out = _cli(root, "--format", "markdown", ".")
    assert "**300 findings**" in out
    assert out.count("\n- `app.py:") == 50
    assert "… and 250 more." in out
    assert len(out) < 40_000


# -- secrets never leak --------------------------------------------------------------

SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
MY_FORMATS = ("sarif", "github", "rdjson", "gitlab", "junit", "markdown")


def _finding(source: SourceFile, replacement: str, applicability: Applicability, sensitive: bool) -> Finding:
    line = source.line(1)
    start = line.index('"') + 1
    end = line.rindex('"') + 2
    fix = Fix(
        applicability,
        "Read it from the environment",
        (Edit(replacement, Location(1, start), Location(1, end)),),
    )
    return Finding(
        code="FS1101",
        name="log-file-handler",
        severity=Severity.ERROR,
        message="a credential is written in the code",
        path="app.py",
        location=Location(1, start),
        end_location=Location(1, end),
        fix=fix,
        sensitive=sensitive,
    )


@pytest.mark.parametrize("format_name", MY_FORMATS)
@pytest.mark.parametrize(
    "replacement", ['os.environ["STRIPE_KEY"]', f'os.environ.get("STRIPE_KEY", "{SECRET}")']
)
def test_no_format_prints_a_sensitive_value(format_name: str, replacement: str) -> None:
    source = SourceFile(Path("app.py").absolute(), "app.py", f'STRIPE_KEY = "{SECRET}"\n'.encode())
    finding = _finding(source, replacement, Applicability.SAFE, sensitive=True)
    report = Report([finding], {"app.py": source}, 1, unsafe_fixes=True)
    output = io.StringIO()
    writer(format_name)(report, output)
    assert SECRET not in output.getvalue()
    assert SECRET[4:12] not in output.getvalue()
    if format_name == "rdjson" and SECRET not in replacement:
        # A fix that removes the secret is still suggested.
        assert "os.environ" in output.getvalue()


def test_every_format_is_registered() -> None:
    assert set(MY_FORMATS) <= set(FORMATS)
    help_text = run_cli("--help").stdout
    for name in MY_FORMATS:
        assert name in help_text
