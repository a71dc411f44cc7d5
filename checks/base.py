"""Rule base classes and the inline examples every rule carries.

A rule is a small class: its metadata (code, name, severity, summary, a
ruff-shaped docstring), its VALID/INVALID examples, cheap byte triggers for
the prefilter, and its logic. Four kinds exist:

- `SourceRule`: a libcst visitor. All source rules enabled for a file run in
  one batched traversal; define `visit_<Node>` / `leave_<Node>` methods and
  call `self.report(node, message, fix=...)`.
- `FileRule`: `check_file(source)` checks one non-Python file of its `kinds`
  (Dockerfile, Procfile, ini...).
- `ProjectRule`: `check_project(project)` sees the whole ProjectModel, plus the
  facts its `collectors` (SourceVisitors) recorded per file, and its own
  `file_facts` read from each file's `ast` tree.
- `SourceVisitor`: a traversal participant that reports nothing and only
  records facts for project rules.

A rule may be several kinds at once (FS1101 reads Python and logging ini
files); each kind has its own hook. What a rule needs from the engine is
declared in class attributes (`kinds`, `collectors`, `needs_import_facts`,
`needs_call_facts`, `file_fact`), never found by probing the class.

Facts are typed: a NamedTuple per kind of fact, built with keywords. They
travel through the cache as JSON arrays and come back as the same NamedTuple
(`ProjectModel.facts(SystemToolUse)`).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, NamedTuple, TypeVar

from factorscan.core.findings import (
    Applicability,
    Factor,
    Finding,
    Fix,
    FixAvailability,
    Location,
    Severity,
    factor_for_code,
)

if TYPE_CHECKING:
    import libcst as cst

    from factorscan.core.settings import Settings
    from factorscan.core.source import SourceFile
    from factorscan.python.traversal import FileContext, FixBuilder
    from factorscan.scan.project import ProjectModel

__all__ = [
    "MANIFESTS",
    "WHOLE_FILE",
    "Applicability",
    "FileBytes",
    "FileRule",
    "FixAvailability",
    "Guarded",
    "Invalid",
    "ProjectRule",
    "Rule",
    "Severity",
    "SourceRule",
    "SourceVisitor",
    "StemTrigger",
    "SyntaxErrorRule",
    "Valid",
]

_Visitor = TypeVar("_Visitor", bound="SourceVisitor")
_CODE = re.compile(r"^FS\d{4}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Fix")


class Guarded:
    """A regex trigger searched only in files holding one of its literal `needles`.

    `bytes in data` is a memchr-speed scan, while a pattern with no literal
    prefix (`^[ \t]*import`, `\bwhich\\s*\\(`) is tried at every position: on a
    large tree the guard is the difference between a cheap and a costly
    prefilter. Every match of the pattern must contain one of the needles.
    """

    __slots__ = ("needles", "pattern")

    def __init__(self, pattern: bytes, *needles: bytes, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        self.needles = needles

    def search(self, data: bytes) -> re.Match[bytes] | None:
        if not any(needle in data for needle in self.needles):
            return None
        return self.pattern.search(data)


class FileBytes(bytes):
    """One file's bytes as the prefilter sees them, with a lower-cased copy made on
    first use and shared by all its StemTriggers. It lives as long as the file's
    prefilter (the language server's threads each have their own), unlike the
    module-global cache it replaces."""

    _lowered: bytes | None = None

    @property
    def lowered(self) -> bytes:
        if self._lowered is None:
            self._lowered = self.lower()
        return self._lowered


class StemTrigger:
    """Any of `stems` (lower-case, matched in any case) followed by `after`, a pattern
    tried anchored at the end of each occurrence (`token` then `... = "`).

    The stems are found at memchr speed and the pattern runs only where they
    are: one unanchored regex over a large file costs more than parsing it.
    """

    __slots__ = ("after", "stems")

    def __init__(self, stems: tuple[bytes, ...], after: re.Pattern[bytes]) -> None:
        self.stems = stems
        self.after = after

    def search(self, data: bytes) -> re.Match[bytes] | None:
        lowered = data.lowered if isinstance(data, FileBytes) else data.lower()
        for stem in self.stems:
            start = lowered.find(stem)
            while start != -1:
                match = self.after.match(lowered, start + len(stem))
                if match is not None:
                    return match
                start = lowered.find(stem, start + len(stem))
        return None


Trigger = bytes | re.Pattern[bytes] | Guarded | StemTrigger


def matches_any(triggers: tuple[Trigger, ...], data: bytes) -> bool:
    return any(
        trigger in data if isinstance(trigger, bytes) else trigger.search(data) is not None
        for trigger in triggers
    )


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on.

    `code` is the content of `filename`; `files` adds other files to the
    example project (manifests, a Dockerfile...). Code is dedented.
    """

    code: str
    filename: str = "app.py"
    files: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", textwrap.dedent(self.code).lstrip("\n"))
        object.__setattr__(
            self,
            "files",
            {name: textwrap.dedent(text).lstrip("\n") for name, text in self.files.items()},
        )

    def project_files(self) -> dict[str, str]:
        return {**self.files, self.filename: self.code}


@dataclass(frozen=True)
class Invalid(Valid):
    """Code the rule must report.

    `fixed`, when given, is the expected content of `filename` after `--fix`
    (with `--unsafe-fixes` when `unsafe` is true). `count` is the number of
    findings expected, and `line` the row of the first one. `severity`, when
    given, is the severity every finding must have (a notice the rule makes
    at `info` where it cannot prove the problem).
    """

    fixed: str | None = None
    unsafe: bool = False
    count: int = 1
    line: int | None = None
    severity: Severity | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.fixed is not None:
            object.__setattr__(self, "fixed", textwrap.dedent(self.fixed).lstrip("\n"))


WHOLE_FILE = "the whole file"
# What declares dependencies, for rules whose findings a manifest edit can make or clear.
MANIFESTS = ("pyproject", "setup-cfg", "setup.py", "requirements", "pipfile", "conda")


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str]
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NEVER
    # How files under tests/ and conftest.py are treated; shown in the rule docs.
    test_files: ClassVar[str] = "checked like any other file"
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    # `--diff-base` reports a finding when one of its own lines changed, or when a
    # file that causes it changed: a file kind of discovery ("requirements",
    # "dockerfile"...), a file name ("setup.py"), or WHOLE_FILE (any line of the
    # finding's own file: what it reports is about the file as a whole).
    changed_by: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def factor(cls) -> Factor:
        return factor_for_code(cls.code)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def review(cls, findings: list[Finding], project: ProjectModel) -> list[Finding]:
        """The rule's findings (non-empty) once the whole project is known: a rule may lower the
        severity of what one file could not judge alone, such as a development server in a file
        the deployment never runs. Runs in every scan on cached and fresh findings alike, so a
        change to another file (the Dockerfile) is seen; the editor integrations, which see one
        file, do not run it."""
        return findings

    @classmethod
    def validate_metadata(cls) -> list[str]:
        """Problems with the rule's metadata, for the test suite."""
        problems = []
        if not _CODE.match(getattr(cls, "code", "")):
            problems.append("code must look like FS0301")
        if not _NAME.match(getattr(cls, "name", "")):
            problems.append("name must be kebab-case")
        if not getattr(cls, "summary", ""):
            problems.append("summary is empty")
        doc = cls.documentation()
        problems.extend(f"docstring lacks {section!r}" for section in DOC_SECTIONS if section not in doc)
        if not cls.INVALID:
            problems.append("no INVALID examples")
        return problems

    def make_finding(
        self,
        path: str,
        location: Location,
        end_location: Location,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        sensitive: bool = False,
        fingerprint_hint: str = "",
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            path=path,
            location=location,
            end_location=end_location,
            fix=fix,
            sensitive=sensitive,
            fingerprint_hint=fingerprint_hint,
        )


class SourceVisitor:
    """A participant in the one libcst traversal of a Python file.

    `triggers` are byte strings or compiled byte regexes of which at least one
    must occur in a file for the visitor to run there (an empty tuple means
    every Python file). Files no enabled rule triggers on are never parsed by
    libcst, so a trigger that matches most files costs the whole scan.
    """

    triggers: ClassVar[tuple[Trigger, ...]] = ()
    # Triggers for tests, docs and examples, where a rule may report less (only
    # credential formats, say): None means `triggers` (and the settings' own).
    sample_triggers: ClassVar[tuple[Trigger, ...] | None] = None
    # The file being traversed: set by `visiting`, the only way the traversal makes
    # a visitor (a rule made for its file or project hook has no file context).
    context: FileContext

    @classmethod
    def visiting(cls: type[_Visitor], context: FileContext) -> _Visitor:
        """An instance taking part in the traversal of the file `context` describes."""
        visitor = cls()
        visitor.context = context
        return visitor

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        """Whether the visitor runs on a file at all, judged by its path."""
        return True

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        return not cls.triggers or matches_any(cls.triggers, data)

    @classmethod
    def settings_triggers(cls, settings: Settings) -> tuple[Trigger, ...]:
        """More triggers that depend on the settings (e.g. `secret-names`)."""
        return ()

    def record_fact(self, fact: NamedTuple) -> None:
        """Keep a fact about this file for project rules: a NamedTuple of JSON values,
        read back with `ProjectModel.facts(type(fact))`."""
        self.context.record_fact(fact)


class SourceRule(SourceVisitor, Rule):
    """A rule over Python source, run inside the batched traversal."""

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: FixBuilder | None = None,
        severity: Severity | None = None,
        sensitive: bool = False,
        secret: cst.CSTNode | None = None,
        secret_text: str | None = None,
    ) -> None:
        """Report `node`. A finding whose code holds a secret is `sensitive`: output masks
        the value of the literal reported, or exactly `secret_text` inside it, or the literal
        `secret` beside it (which makes the finding sensitive)."""
        self.context.report(
            self,
            node,
            message,
            fix=fix,
            severity=severity,
            sensitive=sensitive or secret is not None,
            secret=secret,
            secret_text=secret_text,
        )

    def fix(self, message: str, applicability: Applicability = Applicability.SAFE) -> FixBuilder:
        """Start a fix; add replacements with `.replace(old, new)`."""
        return self.context.new_fix(message, applicability)


class FileRule(Rule):
    """A rule over one non-Python file of the kinds in `kinds`."""

    kinds: ClassVar[tuple[str, ...]] = ()
    # Byte strings of which one must occur in the file (empty: every file).
    file_triggers: ClassVar[tuple[Trigger, ...]] = ()

    @classmethod
    def file_triggered_by(cls, data: bytes) -> bool:
        return not cls.file_triggers or matches_any(cls.file_triggers, data)

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
        """Findings in one file of the rule's `kinds`."""
        raise NotImplementedError


class ProjectRule(Rule):
    """A rule over the whole project, run once per scan in the main process."""

    # Visitors whose facts the rule reads (they run in the traversal of every file they trigger on).
    collectors: ClassVar[tuple[type[SourceVisitor], ...]] = ()
    # Whether the rule reads every Python file's imports (`ProjectModel.import_facts()`).
    needs_import_facts: ClassVar[bool] = False
    # Whether the rule reads the call graph (`scan/call_graph.py`): every Python file's FunctionFacts.
    needs_call_facts: ClassVar[bool] = False
    # The NamedTuple `file_facts` returns, when the rule reads facts from each file's `ast` tree.
    file_fact: ClassVar[type[tuple[object, ...]] | None] = None

    @classmethod
    def file_facts(cls, text: str, tree: ast.Module, relative_path: str) -> tuple[object, ...] | None:
        """A `file_fact` about one Python file from its text and `ast` tree, cached with the
        file's results: for project views that need no libcst tree. None records nothing."""
        return None

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        """Findings about the whole project."""
        raise NotImplementedError


class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports a file that factorscan cannot parse: invalid syntax, Python 2
    code, an undecodable file, NUL bytes, or nesting too deep to analyse.

    Template sources are not Python yet and are not checked at all: files
    under a folder a template names (`{{cookiecutter.project_slug}}/`),
    template files by suffix (`.j2`, `.jinja`), and Python that fails to
    parse where Jinja markup is (`{% if ... %}`, `{{ cookiecutter.name }}`).
    Dockerfiles and manifests holding Jinja markup are left unread, without a
    warning. The summary says once how many templated files were skipped.

    ## Why is this bad?
    Nothing else can be checked in a file that does not parse, so its other
    findings are unknown. It usually means the file is broken, is not Python,
    or targets a Python version other than the one the app runs on.

    ## Example
    ```python
    print "hello"
    ```

    ## Fix
    None. Fix the syntax, or exclude the file (`extend-exclude`).
    """

    code = "FS0001"
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "File cannot be parsed"
    changed_by = (WHOLE_FILE,)  # the error's line is often not the line that broke the file
    INVALID = (
        Invalid("print 'hello'\n"),
        Invalid("def f(:\n    pass\n"),
        Invalid(
            'TITLE = f"{{name}}"\ndef f(:\n    pass\n',
            note="escaped braces in an f-string are Python: the error elsewhere is reported",
        ),
    )
    VALID = (
        Valid("print('hello')\n"),
        Valid(
            """
            import os
            {% if cookiecutter.use_celery == "y" %}
            from celery import Celery
            {% endif %}
            NAME = "{{ cookiecutter.project_slug }}"
            """,
            filename="hooks/settings.py",
            note="Jinja markup where the parse fails: a template",
        ),
        Valid(
            "DEBUG = {{ cookiecutter.debug }\n",
            filename="{{cookiecutter.project_slug}}/config.py",
            note="under a folder a template names",
        ),
    )
