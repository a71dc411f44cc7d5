""".dockerignore and the build context: which files `docker build` sends, and which a COPY takes.

Matching follows Docker's own code (moby/patternmatcher and its ignorefile
reader), not gitignore:

- A line starting with `#` in its first column is a comment; other lines are
  trimmed, and blank ones skipped. `!` starts an exception.
- Each pattern is cleaned like Go's `filepath.Clean` (`./a//b/` is `a/b`)
  and a leading `/` is dropped: every pattern is relative to the context
  root, and `*.pyc` matches only at the top (`**/*.pyc` matches anywhere).
- `*` and `?` never match `/`; `[...]` is a character class; `\\` escapes;
  `**` matches any number of folders, zero included.
- A pattern that matches a folder excludes everything below it.
- Later lines win: a path is excluded when the last pattern that matches it
  (or one of its parent folders) is not an exception.
- The pattern `.` matches nothing.

A Dockerfile-specific ignore file (`<Dockerfile>.dockerignore` next to the
Dockerfile) replaces the context's `.dockerignore`, as BuildKit does.
"""

from __future__ import annotations

import os
import posixpath
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from factorscan.deploy.dockerfile import Dockerfile

# Regex characters with no meaning in a Go filepath pattern (moby's shouldEscape).
_REGEX_SPECIAL = frozenset(".+()|{}$")
# Walking a huge context stops here; `BuildContext.truncated` says so.
MAX_CONTEXT_FILES = 50_000


def clean(path: str) -> str:
    """Go's `filepath.Clean` for slash paths: "" is ".", `a/./b/../c/` is `a/c`."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    # POSIX keeps a leading `//`; Go does not.
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@dataclass(frozen=True)
class Pattern:
    """One line of a .dockerignore, compiled the way moby's patternmatcher does."""

    text: str  # cleaned, without the `!`
    exception: bool  # `!pattern`: re-includes what earlier lines excluded
    row: int  # 1-based line in the file (0 for a pattern given in code)
    kind: str  # exact | prefix | suffix | regex
    regex: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, text: str, exception: bool = False, row: int = 0) -> Pattern:
        """Raises ValueError for a pattern Docker refuses ("syntax error in pattern")."""
        kind = "exact"
        out = ["^"]
        index = 0
        position = 0  # the scanner's rune count, for "** at the start"
        while index < len(text):
            char = text[index]
            index += 1
            if char == "*":
                if text.startswith("*", index):
                    index += 1
                    if text.startswith("/", index):
                        index += 1  # `**/` is `**`
                    if index >= len(text):
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            out.append(".*")
                            kind = "regex"
                    else:
                        out.append("(.*/)?")
                        kind = "regex"
                    if position == 0:
                        kind = "suffix"
                else:
                    out.append("[^/]*")
                    kind = "regex"
            elif char == "?":
                out.append("[^/]")
                kind = "regex"
            elif char in _REGEX_SPECIAL:
                out.append("\\" + char)
            elif char == "\\":
                if index < len(text):
                    out.append(re.escape(text[index]))
                    index += 1
                    kind = "regex"
                else:
                    out.append("\\\\")
            elif char in "[]":
                out.append(char)
                kind = "regex"
            else:
                out.append(char)
            position += 1
        regex = None
        if kind == "regex":
            out.append("$")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # FutureWarning on nested-set syntax
                    regex = re.compile("".join(out), re.DOTALL)
            except re.error as exc:
                raise ValueError(f"syntax error in pattern {text!r}") from exc
        return cls(text, exception, row, kind, regex)

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` itself (a cleaned, slash-separated relative path)."""
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regex is not None
        return self.regex.match(path) is not None

    def matches_or_parent(self, path: str) -> bool:
        """Whether it matches `path` or one of the folders above it."""
        if self.matches(path):
            return True
        parts = path.split("/")
        return any(self.matches("/".join(parts[:depth])) for depth in range(1, len(parts)))


def read_patterns(text: str) -> Iterator[tuple[int, str, bool]]:
    """(row, cleaned pattern, is exception) for each pattern line, as Docker's ignorefile reader."""
    # Lines end at \n only (Go's bufio.ScanLines), with one \r dropped.
    for row, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.removesuffix("\r")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        exception = pattern.startswith("!")
        if exception:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        yield row, pattern, exception


@dataclass
class DockerIgnore:
    patterns: list[Pattern] = field(default_factory=list)
    # (row, message) for lines Docker refuses; such a file fails the build.
    problems: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> DockerIgnore:
        ignore = cls()
        for row, text_pattern, exception in read_patterns(text):
            if not text_pattern:
                ignore.problems.append((row, 'illegal exclusion pattern: "!"'))
                continue
            try:
                ignore.patterns.append(Pattern.compile(text_pattern, exception, row))
            except ValueError as exc:
                ignore.problems.append((row, str(exc)))
        return ignore

    @property
    def has_exceptions(self) -> bool:
        return any(pattern.exception for pattern in self.patterns)

    def excluded(self, path: str) -> bool:
        """Whether the context path (relative, slash-separated) is left out of the build context."""
        path = clean(path).lstrip("/")
        if path in ("", "."):
            return False
        excluded = False
        for pattern in self.patterns:
            # Only a pattern that could change the answer needs matching.
            if pattern.exception != excluded:
                continue
            if pattern.matches_or_parent(path):
                excluded = not pattern.exception
        return excluded

    def matching_line(self, path: str) -> Pattern | None:
        """The last pattern that decides `path`, for messages ("excluded by line 3")."""
        path = clean(path).lstrip("/")
        found = None
        for pattern in self.patterns:
            if pattern.matches_or_parent(path):
                found = pattern
        return found

    def may_include_below(self, directory: str) -> bool:
        """Whether an exception could re-include something under an excluded folder.

        Only a walk's cost depends on it: every file found is still judged by
        `excluded()`. Exceptions under the folder, or with wildcards, may apply.
        """
        prefix = clean(directory).lstrip("/") + "/"
        return any(
            pattern.exception and (pattern.text.startswith(prefix) or pattern.kind != "exact")
            for pattern in self.patterns
        )


def _is_remote(source: str) -> bool:
    return "://" in source or source.startswith("git@")


@lru_cache(maxsize=1024)
def source_pattern(source: str) -> Pattern | None:
    """A COPY/ADD source as a pattern over context paths; None for `.` (everything)."""
    text = clean(source).lstrip("/")
    if text in ("", "."):
        return None
    try:
        return Pattern.compile(text)
    except ValueError:
        return Pattern(text, False, 0, "exact")


@dataclass
class BuildContext:
    """A Docker build context: a folder and the ignore file that filters it."""

    root: Path
    ignore: DockerIgnore = field(default_factory=DockerIgnore)
    ignore_file: Path | None = None
    truncated: bool = False  # `files()` stopped at MAX_CONTEXT_FILES
    _files: list[str] | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, root: Path, dockerfile: Path | None = None) -> BuildContext:
        """The context at `root`, with `<Dockerfile>.dockerignore` or else `root/.dockerignore`."""
        candidates = []
        if dockerfile is not None:
            candidates.append(dockerfile.with_name(dockerfile.name + ".dockerignore"))
        candidates.append(root / ".dockerignore")
        for candidate in candidates:
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            return cls(root, DockerIgnore.parse(text), candidate)
        return cls(root)

    def relative(self, path: Path) -> str | None:
        """`path` relative to the context root, or None when it lies outside."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def excluded(self, relative: str) -> bool:
        return self.ignore.excluded(relative)

    def sends(self, source: str, relative: str) -> bool:
        """Whether `COPY <source> ...` copies the context file `relative` (ignore file applied)."""
        if _is_remote(source) or self.excluded(relative):
            return False
        pattern = source_pattern(source)
        return pattern is None or pattern.matches_or_parent(clean(relative))

    def files(self) -> list[str]:
        """Every file (and symlink) the context sends, relative and sorted; symlinks are not followed."""
        if self._files is None:
            self._files = sorted(self._walk())
        return self._files

    def copied(self, source: str) -> list[str]:
        """The context files `COPY <source> ...` takes: `.`, a folder, a file or a wildcard."""
        if _is_remote(source):
            return []
        pattern = source_pattern(source)
        if pattern is None:
            return list(self.files())
        return [path for path in self.files() if pattern.matches_or_parent(path)]

    def _walk(self) -> Iterator[str]:
        count = 0
        pending = [""]
        while pending:
            directory = pending.pop()
            try:
                entries = list(os.scandir(self.root / directory if directory else self.root))
            except OSError:
                continue
            for entry in entries:
                relative = f"{directory}/{entry.name}" if directory else entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if not self.excluded(relative) or self.ignore.may_include_below(relative):
                        pending.append(relative)
                    continue
                if self.excluded(relative):
                    continue
                count += 1
                if count > MAX_CONTEXT_FILES:
                    self.truncated = True
                    return
                yield relative


# -- which folder is a Dockerfile's build context ----------------------------------------------


def context_sources(dockerfile: Dockerfile) -> list[str]:
    """COPY/ADD sources taken from the build context (not `--from`, heredocs or URLs)."""
    return [
        source
        for copy in dockerfile.copies()
        if copy.from_stage is None and copy.from_image is None and not copy.heredoc
        for source in copy.sources
        if not _is_remote(source)
    ]


def guess_context(
    dockerfile_path: Path, dockerfile: Dockerfile, root: Path, declared: Iterable[tuple[Path, Path]] = ()
) -> Path:
    """The folder `docker build` most likely runs in for this Dockerfile.

    A compose file's `build.context` for it wins (`declared`: (Dockerfile, context)
    pairs). Otherwise the folder, between the Dockerfile's own and the project root,
    where most of its COPY sources exist (`docker/Dockerfile` built with `-f` from the
    root copies `requirements.txt` from the root); nearest on a tie, and the
    Dockerfile's own folder when nothing tells.
    """
    for path, context in declared:
        if path == dockerfile_path:
            return context
    folder = dockerfile_path.parent
    candidates = [folder]
    if folder.is_relative_to(root):
        candidates += [parent for parent in folder.parents if parent.is_relative_to(root)]
    sources = [clean(source).lstrip("/") for source in context_sources(dockerfile)]
    sources = [source for source in sources if source not in ("", ".")]
    best, best_score = folder, 0
    for candidate in candidates:
        score = sum(1 for source in sources if _exists(candidate, source))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _exists(folder: Path, source: str) -> bool:
    if any(char in source for char in "*?["):
        try:
            return next(iter(folder.glob(source)), None) is not None
        except (ValueError, OSError):
            return False
    return (folder / source).exists()
