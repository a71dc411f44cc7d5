"""`--fix` and `--diff`: apply fixes file by file until nothing more applies.

Each round applies every non-overlapping applicable fix of a file, then
re-analyses the new text: that re-parse is the safety check, and it yields
the fixes that overlapped before. A round whose result does not parse is
retried fix by fix; a fix that breaks the file on its own is dropped and
reported with its rule code.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from factorscan.core.findings import Applicability, Finding
from factorscan.core.interrupts import FixInterrupted, interrupts_held
from factorscan.core.redact import mask_values, secret_values
from factorscan.core.settings import Settings
from factorscan.core.source import SourceFile
from factorscan.fixing.fixes import FixWriteError, apply_fixes, select_fixes, write_atomically
from factorscan.python.import_placement import remove_unused_imports
from factorscan.scan.engine import RuleSet, ScanResult, analyze, filter_suppressed
from factorscan.scan.project import ProjectModel

# The user's review filters (--baseline, --diff-base): the findings they keep.
ReviewFilter = Callable[[list[Finding], Mapping[str, SourceFile]], list[Finding]]

MAX_ROUNDS = 10


@dataclass
class FileFix:
    source: SourceFile  # as read
    new_text: str
    fixed: list[Finding] = field(default_factory=list)
    # The file's secret values (from every sensitive finding in it), hidden in diffs.
    secrets: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new_text != self.source.text

    @property
    def behaviour_changes(self) -> list[str]:
        """What the unsafe fixes applied here change on purpose, one line each."""
        return [
            f"{self.source.display_path}:{finding.location.row}: {finding.code} {finding.fix.message}"
            for finding in self.fixed
            if finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
        ]

    def diff(self) -> str:
        """A unified diff for `--diff`; removed lines holding a secret show it redacted."""
        path = self.source.display_path
        # git's a/ b/ prefixes (`git apply` takes the diff); an absolute path keeps its own.
        old, new = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
        lines = difflib.unified_diff(
            self.source.text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=old,
            tofile=new,
        )
        text = "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)
        return mask_values(text, self.secrets)


def _applicable(findings: list[Finding], unsafe: bool) -> list[Finding]:
    return [f for f in findings if f.fix is not None and f.fix.is_applicable(unsafe)]


@dataclass
class _FileFixer:
    """Fix rounds for one file: apply, re-analyse (the re-parse check), repeat."""

    kind: str
    relative_path: str
    ruleset: RuleSet
    settings: Settings
    project: ProjectModel
    review: ReviewFilter | None = None
    # (code, message) of the first round's findings that the review filters hid: the same
    # findings met again in a later round (their line rewritten by another fix) stay hidden.
    hidden: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def run(self, original: SourceFile, candidates: list[Finding], unsafe: bool) -> FileFix | None:
        current = original
        fixed: list[Finding] = []
        for _ in range(MAX_ROUNDS):
            outcome = self._round(current, candidates)
            if outcome is None:
                self.problems.append(
                    f"{original.display_path}: fixes would not parse; the file was left unchanged"
                )
                return None
            current, applied, remaining = outcome
            fixed.extend(applied)
            # Fixes from project rules (non-Python files) are not re-derived by analyze().
            candidates = _applicable(remaining, unsafe) if self.kind == "python" else []
            if not applied or not candidates:
                break
        if not fixed:
            return None
        text = current.text
        if self.kind == "python":
            text = remove_unused_imports(original.text, text)
        return FileFix(original, text, fixed)

    def _round(
        self, source: SourceFile, candidates: list[Finding]
    ) -> tuple[SourceFile, list[Finding], list[Finding]] | None:
        """(new source, fixed findings, findings in the new text), or None."""
        chosen_fixes = select_fixes(f.fix for f in candidates if f.fix is not None)
        chosen = [f for f in candidates if f.fix in chosen_fixes]
        attempt = self._try(source, chosen)
        if attempt is None:
            # Find the culprits one by one; keep the fixes that parse on their own.
            kept = []
            for finding in chosen:
                if self._try(source, [finding]) is None:
                    self.problems.append(
                        f"{source.display_path}: the fix for {finding.code} at line "
                        f"{finding.location.row} would not parse; it was not applied"
                    )
                else:
                    kept.append(finding)
            chosen = kept
            attempt = self._try(source, chosen) if chosen else None
            if attempt is None:
                return None if not chosen else (source, [], [])
        new_source, new_findings = attempt
        return new_source, chosen, new_findings

    def _try(self, source: SourceFile, chosen: list[Finding]) -> tuple[SourceFile, list[Finding]] | None:
        text = apply_fixes(source, [f.fix for f in chosen if f.fix is not None])
        try:
            data = source.encode(text)
        except UnicodeEncodeError:
            return None
        new_source = SourceFile(source.path, source.display_path, data, is_python=source.is_python)
        result = analyze(new_source, self.kind, self.relative_path, self.ruleset, self.settings)
        if not result.parsed:
            return None
        return new_source, self._kept(new_source, result.findings)

    def _kept(self, source: SourceFile, findings: list[Finding]) -> list[Finding]:
        """What the user keeps of a round's findings: suppressions hold in every round."""
        path = source.display_path
        findings = filter_suppressed(findings, {path: source}, {path: self.kind}, self.project, self.settings)
        if self.review is not None:
            findings = self.review(findings, {path: source})
        return [f for f in findings if (f.code, f.message) not in self.hidden]


def compute_fixes(
    scan_result: ScanResult, settings: Settings, unsafe: bool, review: ReviewFilter | None = None
) -> tuple[list[FileFix], list[str]]:
    """The new content of every file with applicable fixes (nothing is written).

    `review` (the CLI's --baseline and --diff-base) removes findings the user
    does not want reported, and so not fixed, in every round.
    """
    kept = review(scan_result.findings, scan_result.sources) if review else scan_result.findings
    kept_ids = {id(finding) for finding in kept}
    hidden: dict[str, set[tuple[str, str]]] = {}
    for finding in scan_result.findings:
        if id(finding) not in kept_ids:
            hidden.setdefault(finding.path, set()).add((finding.code, finding.message))
    by_path: dict[str, list[Finding]] = {}
    for finding in _applicable(kept, unsafe):
        by_path.setdefault(finding.path, []).append(finding)

    file_fixes: list[FileFix] = []
    problems: list[str] = []
    for path, candidates in sorted(by_path.items()):
        original = scan_result.sources[path]
        fixer = _FileFixer(
            kind=scan_result.kinds.get(path, "python"),
            relative_path=scan_result.project.relative(original.path),
            ruleset=scan_result.ruleset,
            settings=settings,
            project=scan_result.project,
            review=review,
            hidden=hidden.get(path, set()),
        )
        file_fix = fixer.run(original, candidates, unsafe)
        problems.extend(fixer.problems)
        if file_fix is not None:
            file_fix.secrets = secret_values(scan_result.findings, original)
            file_fixes.append(file_fix)
    return file_fixes, problems


def write_fixes(file_fixes: list[FileFix]) -> list[str]:
    """Write each changed file; a Ctrl-C raises FixInterrupted, which says how many were."""
    problems = []
    changed = [file_fix for file_fix in file_fixes if file_fix.changed]
    written = 0
    try:
        for file_fix in changed:
            source = file_fix.source
            # Held over the write and its count: an interrupt lands between two files.
            with interrupts_held():
                try:
                    write_atomically(Path(source.path), source.encode(file_fix.new_text), source.digest)
                    written += 1
                except FixWriteError as exc:
                    problems.append(f"{source.display_path}: not fixed: {exc}")
    except KeyboardInterrupt:
        raise FixInterrupted(written, len(changed)) from None
    return problems
