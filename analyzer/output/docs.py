"""Rule documentation generated from rule metadata (docs/rules/).

Regenerate with `python -m factorscan.output.docs docs/rules`; a test fails when
the committed pages differ from what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from factorscan.checks import all_rules
from factorscan.checks.base import WHOLE_FILE, FileRule, ProjectRule, Rule, SourceRule, Valid

_FENCE = "```"


def _language(filename: str) -> str:
    if filename.endswith(".py"):
        return "python"
    if "Dockerfile" in filename or filename.endswith(".dockerfile"):
        return "dockerfile"
    if filename.endswith(".toml"):
        return "toml"
    if filename.endswith((".yml", ".yaml")):
        return "yaml"
    if filename.endswith((".ini", ".cfg", ".conf")):
        return "ini"
    if filename.endswith(".sh"):
        return "sh"
    return "text"


def _example(example: Valid) -> str:
    blocks = []
    for name, text in sorted(example.files.items()):
        blocks.append(f"`{name}`:\n\n{_FENCE}{_language(name)}\n{text.rstrip()}\n{_FENCE}\n")
    label = f"`{example.filename}`:\n\n" if example.files or example.filename != "app.py" else ""
    blocks.append(f"{label}{_FENCE}{_language(example.filename)}\n{example.code.rstrip()}\n{_FENCE}\n")
    return "\n".join(blocks)


def _kind(rule: type[Rule]) -> str:
    """What the rule reads: a rule may be a source, a file and a project rule at once."""
    kinds = []
    if issubclass(rule, SourceRule):
        kinds.append("source")
    if issubclass(rule, FileRule):
        kinds.append("file (" + ", ".join(rule.kinds) + ")")
    if issubclass(rule, ProjectRule):
        kinds.append("project")
    return " + ".join(kinds) or "source"


# File kinds of discovery, as users name the files.
_KIND_LABELS = {
    "pyproject": "pyproject.toml",
    "setup-cfg": "setup.cfg",
    "requirements": "requirements files",
    "pipfile": "Pipfile",
    "conda": "conda environment.yml",
    "lockfile": "lock files",
    "dockerfile": "Dockerfiles",
    "dockerignore": ".dockerignore",
    "procfile": "Procfile",
    "compose": "compose files",
}


def _diff_base_note(causes: tuple[str, ...]) -> str:
    own = "any line of its file" if WHOLE_FILE in causes else "one of its lines"
    others = [_KIND_LABELS.get(cause, cause) for cause in causes if cause != WHOLE_FILE]
    if not others:
        return f"With `--diff-base`, a finding is reported when {own} changed."
    return f"With `--diff-base`, a finding is reported when {own} changed, or any of: {', '.join(others)}."


def rule_markdown(rule: type[Rule]) -> str:
    factor = rule.factor()
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}.",
        "",
        "| factor | severity | fix | checks | test files |",
        "|---|---|---|---|---|",
        f"| {factor.numeral} {factor.title} | {rule.severity.value} | {rule.fix_availability.value} "
        f"| {_kind(rule)} | {rule.test_files} |",
        "",
        rule.documentation(),
        "",
    ]
    if rule.changed_by:
        lines += [_diff_base_note(rule.changed_by), ""]
    examples = []
    for invalid in rule.INVALID:
        if invalid.severity is not None and invalid.severity is not rule.severity:
            note = f": {invalid.note}" if invalid.note else ""
            examples.append(f"Flagged at {invalid.severity.value} severity{note}:\n\n{_example(invalid)}")
        else:
            examples.append(f"Flagged:\n\n{_example(invalid)}")
        if invalid.fixed is not None:
            flag = " `--unsafe-fixes`" if invalid.unsafe else ""
            examples.append(
                f"After `factorscan --fix`{flag}:\n\n{_FENCE}{_language(invalid.filename)}\n"
                f"{invalid.fixed.rstrip()}\n{_FENCE}\n"
            )
    for valid in rule.VALID:
        note = f" ({valid.note})" if valid.note else ""
        examples.append(f"Not flagged{note}:\n\n{_example(valid)}")
    lines += ["## Tested examples", "", "\n".join(examples)]
    return "\n".join(lines).rstrip() + "\n"


def index_markdown(rules: tuple[type[Rule], ...]) -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule metadata by `python -m factorscan.output.docs docs/rules`.",
        "`[*]`-style fixes: `always`/`sometimes` rules carry a fix on (some of) their findings.",
        "",
        "| code | name | factor | severity | fix | summary |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        factor = rule.factor()
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.name} | {factor.numeral} {factor.title} "
            f"| {rule.severity.value} | {rule.fix_availability.value} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"


def generate() -> dict[str, str]:
    """File name -> content for every page of docs/rules/."""
    rules = all_rules()
    pages = {f"{rule.code}.md": rule_markdown(rule) for rule in rules}
    pages["README.md"] = index_markdown(rules)
    return pages


def write(directory: Path) -> list[str]:
    """Write the pages, remove stale ones; return what changed."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = generate()
    changed = []
    for name, content in pages.items():
        target = directory / name
        if not target.exists() or target.read_text(encoding="utf-8") != content:
            target.write_text(content, encoding="utf-8")
            changed.append(name)
    for stale in directory.glob("FS*.md"):
        if stale.name not in pages:
            stale.unlink()
            changed.append(stale.name)
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    for name in write(target):
        print(f"updated {target / name}")
