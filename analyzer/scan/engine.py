"""Scan orchestration: discovery -> per-file analysis -> project rules -> filters.

Per file: `ast` parses first (ten times cheaper than libcst, and it refuses
nesting that crashes libcst's native parser), giving the syntax verdict and
the import facts; libcst parses only files where an enabled rule's byte
trigger occurs; one batched traversal runs every triggered rule; positions
are computed only for files with findings. Files are spread over a process
pool and results are cached by content hash.
"""

from __future__ import annotations

import ast
import concurrent.futures
import functools
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

import factorscan
import factorscan.checks
from factorscan.checks import select_rules
from factorscan.checks.base import (
    FileBytes,
    FileRule,
    ProjectRule,
    Rule,
    SourceRule,
    SourceVisitor,
    SyntaxErrorRule,
    Trigger,
    matches_any,
)
from factorscan.core import lazy_import, profiling
from factorscan.core.cache import Cache, cache_directory, source_digest
from factorscan.core.discovery import (
    DiscoveredFile,
    Discovery,
    display_path,
    file_kind,
    has_root_marker,
    is_sample_path,
    is_test_path,
    relative_to_root,
)
from factorscan.core.errors import RoundTripError
from factorscan.core.findings import Finding, Location
from factorscan.core.interrupts import interrupts_held
from factorscan.core.settings import Settings
from factorscan.core.source import (
    FileTooLargeError,
    NotRegularFileError,
    SourceDecodeError,
    SourceFile,
    content_digest,
    read_regular_file,
)
from factorscan.core.suppression import PerFileIgnores, Suppressions
from factorscan.core.templates import has_template_markup, template_markup_on_line
from factorscan.python.call_facts import FunctionFact, function_facts
from factorscan.python.imports import IMPORT_FACTS, import_facts
from factorscan.python.inference import recording_reads
from factorscan.python.traversal import FileContext, Traversal
from factorscan.scan.project import ProjectModel

# libcst's native parser takes time quadratic in expression nesting (seconds
# at 2,000 levels) and overflows its stack beyond a few thousand; CPython's
# parser refuses bracket nesting past 200. Real code stays far below these.
_MAX_BRACKET_DEPTH = 150
_MAX_AST_DEPTH = 400
# Below this many files a process pool costs more than it saves.
_POOL_MIN_FILES = 24
_RECURSION_LIMIT = 20_000
# A module that only assigns literals (a table of airport codes, generated data) costs libcst
# about 400 bytes of memory per byte of source: one of 480 KB took peak memory to 234 MB.
# Over this size such a module is read by `ast` alone (imports and file facts), with a warning.
DATA_MODULE_BYTES = 256 * 1024


@dataclass
class RuleSet:
    """The enabled rules, split by kind; built once and shipped to workers."""

    rules: list[type[Rule]]
    source_visitors: list[type[SourceVisitor]] = field(default_factory=list)
    file_rules: list[type[FileRule]] = field(default_factory=list)
    project_rules: list[type[ProjectRule]] = field(default_factory=list)
    report_syntax_errors: bool = False
    import_facts: bool = False
    call_facts: bool = False  # each Python file's FunctionFacts, for the call graph
    # Project rules that read a fact from each Python file's text and ast tree.
    fact_rules: list[type[ProjectRule]] = field(default_factory=list)
    # Rules that take a last look at their findings with the whole project known (`review`).
    reviewing_rules: list[type[Rule]] = field(default_factory=list)
    _extra_triggers: dict[type[SourceVisitor], tuple[Trigger, ...]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSet:
        rules = select_rules(settings.select, settings.extend_select, settings.ignore)
        ruleset = cls(rules)
        for rule in rules:
            # A rule may be both a source and a file rule (FS1101 reads Python
            # and logging ini files alike).
            if issubclass(rule, SourceRule):
                ruleset._add_visitor(rule)
            if issubclass(rule, FileRule):
                ruleset.file_rules.append(rule)
            if issubclass(rule, ProjectRule):
                ruleset.project_rules.append(rule)
                for collector in rule.collectors:
                    ruleset._add_visitor(collector)
                ruleset.import_facts |= rule.needs_import_facts
                ruleset.call_facts |= rule.needs_call_facts
                if rule.file_fact is not None:
                    ruleset.fact_rules.append(rule)
            elif rule is SyntaxErrorRule:
                ruleset.report_syntax_errors = True
            if getattr(rule.review, "__func__", None) is not getattr(Rule.review, "__func__", None):
                ruleset.reviewing_rules.append(rule)
        return ruleset

    def _add_visitor(self, visitor: type[SourceVisitor]) -> None:
        if visitor not in self.source_visitors:
            self.source_visitors.append(visitor)

    def triggered(self, data: bytes, relative_path: str, settings: Settings) -> list[type[SourceVisitor]]:
        """The visitors whose prefilter passes for a file: only these make libcst parse it."""
        if self._extra_triggers is None:
            self._extra_triggers = {v: v.settings_triggers(settings) for v in self.source_visitors}
        sample = is_test_path(relative_path) or is_sample_path(relative_path)
        data = FileBytes(data)
        found = []
        for visitor in self.source_visitors:
            if not visitor.applies_to(relative_path):
                continue
            if sample and visitor.sample_triggers is not None:
                hit = matches_any(visitor.sample_triggers, data)
            else:
                hit = visitor.triggered_by(data) or matches_any(self._extra_triggers[visitor], data)
            if hit:
                found.append(visitor)
        return found

    @property
    def file_kinds(self) -> set[str]:
        kinds = {"python"}
        for rule in self.file_rules:
            kinds.update(rule.kinds)
        return kinds


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # internal errors: exit code 2, not cached
    warnings: list[str] = field(default_factory=list)  # limits of the analysis, cached with the result
    parsed: bool = True  # False: the file does not parse (FS0001 whether or not reported)
    templated: bool = False  # a Jinja/cookiecutter source: not Python until rendered, not checked
    # Other project modules the analysis read (relative path -> content digest): the cached
    # result is used only while they are unchanged.
    depends_on: dict[str, str] = field(default_factory=dict)

    def to_cache(self) -> dict[str, Any]:
        return {
            "findings": [finding.to_cache() for finding in self.findings],
            "facts": self.facts,
            "warnings": self.warnings,
            "parsed": self.parsed,
            "templated": self.templated,
            "depends_on": self.depends_on,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any], path: str) -> FileResult:
        return cls(
            findings=[Finding.from_cache(item, path) for item in data["findings"]],
            facts=data["facts"],
            warnings=data.get("warnings", []),
            parsed=data.get("parsed", True),
            templated=data.get("templated", False),
            depends_on=data.get("depends_on", {}),
        )


# -- one file ------------------------------------------------------------------


def _syntax_result(ruleset: RuleSet, source: SourceFile, row: int, column: int, message: str) -> FileResult:
    if not ruleset.report_syntax_errors:
        return FileResult(parsed=False)
    rule = SyntaxErrorRule()
    row = max(row, 1)
    column = max(column, 1)
    finding = rule.make_finding(
        source.display_path, Location(row, column), Location(row, column + 1), message
    )
    return FileResult(findings=[finding], parsed=False)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _deeper_than(tree: ast.AST, limit: int, text: str) -> bool:
    """Whether the tree nests deeper than `limit` (iterative: no recursion).

    Every level of an expression takes at least one byte of source, so an
    expression spanning fewer bytes than the depth left cannot reach the
    limit and is not walked: that skips nearly every expression.
    """
    starts = [0]  # byte offset of each line (\r, \n and \r\n end lines, as for ast)
    for line in text.encode("utf-8", "surrogatepass").splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    starts.append(starts[-1])  # a position just past a final line ending

    def span(node: ast.expr) -> int:
        end_line, end_column = node.end_lineno, node.end_col_offset
        if end_line is None or end_column is None:
            return limit  # no position: walk it
        if end_line >= len(starts):
            return limit
        return starts[end_line - 1] + end_column - starts[node.lineno - 1] - node.col_offset

    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    pop, push, children = stack.pop, stack.append, ast.iter_child_nodes
    while stack:
        node, depth = pop()
        if depth > limit:
            return True
        for child in children(node):
            # +4: the node types below an expression that hold no source (Load, operators)
            if isinstance(child, ast.expr) and depth + span(child) + 4 <= limit:
                continue
            push((child, depth + 1))
    return False


def _literal(node: ast.expr) -> bool:
    """A constant, or containers of constants (iterative: data nests deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Constant):
            continue
        if isinstance(item, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(item.elts)
        elif isinstance(item, ast.Dict):
            if any(key is None for key in item.keys):
                return False  # `**other`
            stack.extend(key for key in item.keys if key is not None)
            stack.extend(item.values)
        elif isinstance(item, ast.UnaryOp) and isinstance(item.op, (ast.USub, ast.UAdd)):
            stack.append(item.operand)
        else:
            return False
    return True


def _assigns_names(targets: list[ast.expr]) -> bool:
    return all(
        isinstance(target, ast.Name)
        or (isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts))
        for target in targets
    )


def literal_only(tree: ast.Module) -> bool:
    """Whether a module only assigns literals to names (after a docstring and `__future__`
    imports): a data table, not code."""
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            continue
        if isinstance(statement, ast.Assign) and _assigns_names(statement.targets):
            value: ast.expr | None = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            value = statement.value
        else:
            return False
        if value is not None and not _literal(value):
            return False
    return True


def _describe_syntax_error(error: SyntaxError) -> str:
    message = error.msg
    if "Missing parentheses in call to 'print'" in message or "print " in (error.text or "")[:6]:
        message += " (Python 2 code?)"
    return f"Cannot parse: {message}"


def analyze_python(
    source: SourceFile, relative_path: str, ruleset: RuleSet, settings: Settings
) -> FileResult:
    try:
        text = source.text
    except SourceDecodeError as exc:
        return _syntax_result(ruleset, source, 1, 1, f"Cannot decode: {exc}")
    if "\0" in text:
        return _syntax_result(ruleset, source, 1, 1, "Cannot parse: the file contains NUL bytes (binary?)")

    facts: dict[str, list[Any]] = {}
    syntax_error: SyntaxError | None = None
    with warnings.catch_warnings(), profiling.phase("parse (ast)"):
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text)
            profiling.count("files parsed (ast)")
        except (RecursionError, MemoryError):
            return _syntax_result(ruleset, source, 1, 1, "Cannot parse: nesting too deep to analyse")
        except SyntaxError as exc:
            tree = None
            syntax_error = exc
        except ValueError as exc:  # e.g. surrogates the tokenizer refuses
            return _syntax_result(ruleset, source, 1, 1, f"Cannot parse: {exc}")
    if syntax_error is not None and template_markup_on_line(text, syntax_error.lineno or 0):
        return FileResult(parsed=False, templated=True)  # Jinja where Python fails: a template
    if tree is not None and ruleset.import_facts:
        facts[IMPORT_FACTS] = [fact.to_dict() for fact in import_facts(tree, source.lines)]
    if tree is not None and ruleset.call_facts and not is_test_path(relative_path):
        with profiling.phase("call facts (ast)"):
            facts[FunctionFact.__name__] = [list(fact) for fact in function_facts(tree, text, relative_path)]
    if tree is not None:
        for rule in ruleset.fact_rules:
            recorded = rule.file_facts(text, tree, relative_path)
            if recorded is not None:
                facts[rule.code] = list(recorded)  # one fact: its fields, as the cache keeps it

    with profiling.phase("prefilter"):
        visitors = ruleset.triggered(source.data, relative_path, settings)
    if not visitors and syntax_error is None:
        return FileResult(facts=facts)
    if tree is not None and len(source.data) > DATA_MODULE_BYTES and literal_only(tree):
        size = len(source.data) // 1024
        return FileResult(
            facts=facts,
            warnings=[
                f"a data module of {size} KB that only assigns literals: rules skipped "
                f"(over {DATA_MODULE_BYTES // 1024} KB, libcst is not run on such modules)"
            ],
        )

    def failed(error: SyntaxError | None, fallback: str, row: int = 1, column: int = 1) -> FileResult:
        if error is not None:
            return _syntax_result(
                ruleset, source, error.lineno or 1, error.offset or 1, _describe_syntax_error(error)
            )
        return _syntax_result(ruleset, source, row, column, fallback)

    if syntax_error is not None and (
        "too many nested" in syntax_error.msg or _bracket_depth(text) > _MAX_BRACKET_DEPTH
    ):
        return failed(syntax_error, "")
    if tree is not None and visitors and _deeper_than(tree, _MAX_AST_DEPTH, text):
        return failed(None, f"Cannot analyse: expressions nested more than {_MAX_AST_DEPTH} levels deep")
    try:
        with profiling.phase("parse (libcst)"):
            profiling.count("files parsed (libcst)")
            profiling.count("bytes parsed (libcst)", len(source.data))
            module = cst.parse_module(text)
    except RecursionError:
        return failed(None, "Cannot parse: nesting too deep to analyse")
    except Exception as exc:  # ParserSyntaxError, CSTValidationError, native parser errors
        if tree is not None:
            # Valid Python that libcst cannot read: a limit of the tool, not the
            # user's error. The ast-based facts still count.
            return FileResult(
                facts=facts, warnings=[f"libcst cannot parse this file ({type(exc).__name__}); rules skipped"]
            )
        if isinstance(exc, cst.ParserSyntaxError):
            return failed(syntax_error, f"Cannot parse: {exc.message}", exc.raw_line, exc.raw_column + 1)
        return failed(syntax_error, f"Cannot parse: {type(exc).__name__}")
    # ast refused but libcst parsed: syntax newer than this interpreter. The
    # rules still run; only the import facts are missing.
    if not visitors:
        return FileResult(facts=facts)

    context = FileContext(source, module, settings, relative_path, tree)
    try:
        with profiling.phase("traversal"):
            Traversal(context, [visitor.visiting(context) for visitor in visitors]).run()
        with profiling.phase("positions + fixes"):
            findings = context.finish(source.display_path)
    except RecursionError:
        return failed(None, "Cannot analyse: nesting too deep")
    except RoundTripError as exc:
        return FileResult(facts=facts, warnings=[f"{exc}; rules skipped"])
    facts.update(context.facts)
    return FileResult(findings, facts, context.errors)


def analyze_text_file(source: SourceFile, kind: str, ruleset: RuleSet) -> FileResult:
    with profiling.phase("file rules"):
        return _analyze_text_file(source, kind, ruleset)


def _analyze_text_file(source: SourceFile, kind: str, ruleset: RuleSet) -> FileResult:
    result = FileResult()
    for rule_type in ruleset.file_rules:
        if kind not in rule_type.kinds or not rule_type.file_triggered_by(source.data):
            continue
        try:
            result.findings.extend(rule_type().check_file(source))
        except Exception as exc:
            result.errors.append(f"internal error: {rule_type.code} raised {type(exc).__name__}")
    return result


def analyze(
    source: SourceFile, kind: str, relative_path: str, ruleset: RuleSet, settings: Settings
) -> FileResult:
    if kind != "python":
        return analyze_text_file(source, kind, ruleset)
    # libcst's code generation recurses per nesting level; the AST depth guard
    # keeps that within this limit. Restored so API callers keep theirs.
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
    try:
        with recording_reads() as reads:
            result = analyze_python(source, relative_path, ruleset, settings)
    finally:
        sys.setrecursionlimit(previous)
    result.depends_on = _dependencies(reads, Path(source.path), settings.project_root)
    return result


def _dependencies(reads: set[Path], own: Path, root: Path) -> dict[str, str]:
    """The other project modules a file's analysis read, relative to the root, with their
    content digests ("" for one that could not be read)."""
    found: dict[str, str] = {}
    root = root.resolve()
    own = own.resolve()
    for path in reads:
        resolved = path.resolve()
        if resolved == own:
            continue
        try:
            relative = resolved.relative_to(root).as_posix()
        except ValueError:
            continue
        try:
            found[relative] = content_digest(resolved.read_bytes())
        except OSError:
            found[relative] = ""
    return found


def _dependencies_unchanged(depends_on: dict[str, str], root: Path, digests: dict[str, str]) -> bool:
    """Whether every module a cached result read still has the content it had then."""
    for relative, digest in depends_on.items():
        if relative not in digests:
            try:
                digests[relative] = content_digest((root / relative).read_bytes())
            except OSError:
                digests[relative] = ""
        if digests[relative] != digest:
            return False
    return True


# -- the process pool ------------------------------------------------------------

_worker_state: tuple[RuleSet, Settings] | None = None

Task = tuple[str, str, str, str, bytes]  # path, display path, relative path, kind, data


def _init_worker(ruleset: RuleSet, settings: Settings, profile: bool) -> None:
    global _worker_state  # noqa: PLW0603 - per-process state set once by the pool
    _worker_state = (ruleset, settings)
    # Ctrl-C is the parent's to handle (it cancels the pool); see interrupts_held.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    warnings.simplefilter("ignore")
    if profile:
        profiling.enable()


BatchResult = tuple[list[tuple[str, dict[str, Any], list[str]]], dict[str, float]]


def _analyze_batch(batch: list[Task]) -> BatchResult:
    assert _worker_state is not None
    ruleset, settings = _worker_state
    results = []
    for path, display, relative, kind, data in batch:
        source = SourceFile(Path(path), display, data, is_python=kind == "python", relative_path=relative)
        result = analyze(source, kind, relative, ruleset, settings)
        results.append((path, result.to_cache(), result.errors))
    return results, profiling.take()


def _batches(tasks: list[Task], jobs: int) -> Iterator[list[Task]]:
    size = max(1, min(64, len(tasks) // (jobs * 4) or 1))
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def _run_pool(
    tasks: list[Task], ruleset: RuleSet, settings: Settings, jobs: int, advance: Callable[[int], None]
) -> Iterator[tuple[str, FileResult]]:
    # Imported once here rather than by each forked worker (core/lazy_import.py).
    lazy_import.resolve("libcst")
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    displays = {task[0]: task[1] for task in tasks}
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(ruleset, settings, profiling.enabled()),
    ) as pool:
        # Bounded submission keeps memory flat however many files there are.
        pending: set[concurrent.futures.Future[Any]] = set()
        batches = _batches(tasks, jobs)
        try:
            for batch in batches:
                with interrupts_held():
                    pending.add(pool.submit(_analyze_batch, batch))
                if len(pending) >= jobs * 3:
                    done, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    yield from _collect(done, displays, advance)
            while pending:
                done, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED
                )
                yield from _collect(done, displays, advance)
        except BaseException:
            # Ctrl-C, or the consumer stopped early: drop the queued batches and end the
            # running ones rather than wait for them (seconds on big files).
            workers = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()
            raise


def _collect(
    done: Iterable[concurrent.futures.Future[BatchResult]],
    displays: dict[str, str],
    advance: Callable[[int], None],
) -> Iterator[tuple[str, FileResult]]:
    for future in done:
        batch_results, profile = future.result()
        profiling.merge(profile)
        advance(len(batch_results))
        for path, data, errors in batch_results:
            result = FileResult.from_cache(data, displays[path])
            result.errors = errors
            yield path, result


# -- a whole scan ------------------------------------------------------------------


@dataclass
class ScanResult:
    findings: list[Finding]
    errors: list[str]  # internal errors: exit code 2
    warnings: list[str]  # unreadable or skipped files
    files_scanned: int
    sources: dict[str, SourceFile]  # display path -> content, for files with findings
    kinds: dict[str, str]  # display path -> file kind
    project: ProjectModel
    ruleset: RuleSet
    # Jinja/cookiecutter sources left unchecked (core/templates.py): counted once in the summary.
    templated_files: int = 0


@dataclass
class ScanOptions:
    jobs: int | None = None
    use_cache: bool = True
    stdin: tuple[Path, bytes] | None = None  # --stdin-filename and the text read
    progress: Callable[[int], Callable[[int], None]] | None = None  # total -> advance
    # Results kept in memory between the scans of one run (`--fix --no-cache` re-scans after
    # writing: only the files it changed are analysed again). Overrides `use_cache`.
    memory_cache: Cache | None = None


def _read(item: DiscoveredFile, settings: Settings, warnings_out: list[str]) -> bytes | None:
    try:
        return read_regular_file(item.path, settings.max_file_size)
    except FileTooLargeError as exc:
        warnings_out.append(
            f"{display_path(item.path)}: skipped, {exc.size} bytes is over max-file-size "
            f"({settings.max_file_size})"
        )
    except NotRegularFileError:
        warnings_out.append(f"{display_path(item.path)}: skipped, not a regular file")
    except IsADirectoryError:
        pass
    except OSError as exc:
        warnings_out.append(f"{display_path(item.path)}: cannot read: {exc.strerror or exc}")
    return None


@functools.cache
def _analyzer_digest() -> str:
    """factorscan's own code (engine and rules), hashed once per run for the cache key."""
    folders = [Path(factorscan.__file__).parent, *map(Path, factorscan.checks.__path__)]
    return source_digest(folders)


def scan(paths: list[Path], settings: Settings, options: ScanOptions | None = None) -> ScanResult:
    options = options or ScanOptions()
    ruleset = RuleSet.from_settings(settings)
    root = settings.project_root
    warnings_out: list[str] = []
    errors: list[str] = []

    templated: set[Path] = set()  # template sources left unchecked
    with profiling.phase("discovery"):
        if options.stdin is not None:
            stdin_path, stdin_data = options.stdin
            files = [DiscoveredFile(stdin_path.absolute(), _stdin_kind(stdin_path), explicit=True)]
        else:
            discovery = Discovery(settings)
            files = discovery.discover(paths)
            templated.update(discovery.templated)
    cache = options.memory_cache
    if cache is None and options.use_cache and options.stdin is None:
        cache_dir = cache_directory(root, settings.cache_dir, has_root_marker(root))
        cache = Cache(cache_dir, settings.analysis_key(), _analyzer_digest())
    project = ProjectModel(root, settings, files, cache)
    wanted_kinds = ruleset.file_kinds

    results: dict[str, FileResult] = {}
    data_by_path: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    kinds: dict[str, str] = {}  # display path -> kind
    names: dict[str, tuple[str, str]] = {}  # path -> (display path, path relative to the root)
    dependency_digests: dict[str, str] = {}  # modules cached results read, as they are now
    tasks: list[Task] = []
    with profiling.phase("read + hash + cache"):
        for item in files:
            if item.kind not in wanted_kinds:
                continue
            data = stdin_data if options.stdin is not None else _read(item, settings, warnings_out)
            if data is None:
                continue
            if item.kind != "python" and _templated_text(data):
                templated.add(item.path)  # a Dockerfile or Procfile still to be rendered
                continue
            path = str(item.path)
            display, relative = display_path(item.path), relative_to_root(item.path, root)
            names[path] = (display, relative)
            kinds[display] = item.kind
            data_by_path[path] = data
            digests[path] = content_digest(data)
            cached = cache.get(relative, digests[path]) if cache else None
            if cached is not None and not _dependencies_unchanged(
                cached.get("depends_on", {}), root, dependency_digests
            ):
                cached = None
            if cached is not None:
                results[path] = FileResult.from_cache(cached, display)
            else:
                tasks.append((path, display, relative, item.kind, data))

    total = len(tasks)
    advance = options.progress(total) if options.progress and total else (lambda _count: None)
    jobs = options.jobs or os.cpu_count() or 1
    if jobs > 1 and total >= _POOL_MIN_FILES:
        analyzed: Iterable[tuple[str, FileResult]] = _run_pool(tasks, ruleset, settings, jobs, advance)
    else:
        analyzed = _analyze_inline(tasks, ruleset, settings, advance)
    for path, result in analyzed:
        results[path] = result
        if cache is not None and not result.errors:
            cache.put(names[path][1], digests[path], result.to_cache())
    del tasks

    findings: list[Finding] = []
    for path, result in results.items():
        display, relative = names[path]
        if result.templated:
            templated.add(Path(path))
        findings.extend(result.findings)
        project.add_facts(relative, result.facts)
        if not result.findings:
            del data_by_path[path]  # only files with findings are shown or fixed
        errors.extend(f"{display}: {error}" for error in result.errors)
        warnings_out.extend(f"{display}: {warning}" for warning in result.warnings)

    if options.stdin is None:
        with profiling.phase("project rules"):
            for rule_type in ruleset.project_rules:
                try:
                    findings.extend(rule_type().check_project(project))
                except Exception as exc:
                    errors.append(f"internal error: {rule_type.code} raised {type(exc).__name__}")
        with profiling.phase("reviews"):
            findings = _reviewed(findings, ruleset, project, errors)
        warnings_out.extend(project.warnings)
    if cache is not None:
        cache.save()  # after the project rules: they may have listed the tree

    sources: dict[str, SourceFile] = {}
    for path, data in data_by_path.items():
        display = names[path][0]
        sources[display] = SourceFile(Path(path), display, data, is_python=kinds[display] == "python")
    for finding in findings:
        # A project rule's finding in a file no per-file rule read (FS1104 alone on a Dockerfile):
        # suppression comments and the fixer must still know what kind of file it is.
        kinds.setdefault(finding.path, file_kind(Path(finding.path)) or "python")
    findings = filter_suppressed(findings, sources, kinds, project, settings)
    sources = {finding.path: sources[finding.path] for finding in findings if finding.path in sources}
    return ScanResult(
        findings=sorted(findings, key=lambda f: f.sort_key),
        errors=errors,
        # Two views of one file (the compose services of FS0903 and of the deployment model) may
        # meet the same problem: say it once.
        warnings=list(dict.fromkeys(warnings_out)),
        files_scanned=len(
            (set(digests) | {str(path) for path in project.paths_read()}) - {str(path) for path in templated}
        ),
        sources=sources,
        kinds=kinds,
        project=project,
        ruleset=ruleset,
        templated_files=len(templated | project.templated),
    )


def _templated_text(data: bytes) -> bool:
    return (b"{{" in data or b"{%" in data) and has_template_markup(data.decode("utf-8", errors="replace"))


def _reviewed(
    findings: list[Finding], ruleset: RuleSet, project: ProjectModel, errors: list[str]
) -> list[Finding]:
    """Each reviewing rule's findings, as its `review` leaves them."""
    if not ruleset.reviewing_rules:
        return findings
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    for rule_type in ruleset.reviewing_rules:
        mine = by_code.get(rule_type.code)
        if not mine:
            continue
        try:
            by_code[rule_type.code] = rule_type.review(mine, project)
        except Exception as exc:
            errors.append(f"internal error: {rule_type.code} raised {type(exc).__name__} in its review")
    return [finding for group in by_code.values() for finding in group]


def _stdin_kind(path: Path) -> str:
    return file_kind(path) or "python"


def _analyze_inline(
    tasks: list[Task], ruleset: RuleSet, settings: Settings, advance: Callable[[int], None]
) -> Iterator[tuple[str, FileResult]]:
    for path, display, relative, kind, data in tasks:
        source = SourceFile(Path(path), display, data, is_python=kind == "python", relative_path=relative)
        yield path, analyze(source, kind, relative, ruleset, settings)
        advance(1)


def filter_suppressed(
    findings: list[Finding],
    sources: dict[str, SourceFile],
    kinds: dict[str, str],
    project: ProjectModel,
    settings: Settings,
) -> list[Finding]:
    """Drop findings silenced by noqa comments or per-file-ignores (each fix round too)."""
    per_file = PerFileIgnores(settings.per_file_ignores)
    suppressions: dict[str, Suppressions | None] = {}
    kept = []
    for finding in findings:
        if finding.path not in suppressions:
            source = sources.get(finding.path)
            if source is None:
                source = project.source(Path(finding.path).absolute())
                if source is not None:
                    sources[finding.path] = source
            kind = kinds.get(finding.path, "")
            try:
                suppressions[finding.path] = (
                    Suppressions(source, inline=kind != "dockerfile") if source is not None else None
                )
            except SourceDecodeError:
                suppressions[finding.path] = None
        suppression = suppressions[finding.path]
        if suppression is not None and suppression.suppresses(finding):
            continue
        relative = relative_to_root(Path(finding.path).absolute(), settings.project_root)
        if per_file.ignores(relative, finding.code):
            continue
        kept.append(finding)
    return kept
