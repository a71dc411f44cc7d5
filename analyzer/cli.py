"""The command line: arguments -> Settings -> scan -> reporter -> exit code.

Exit codes: 0 clean, 1 findings, 2 usage/config/internal error. Errors are a
single line on stderr. Heavy modules are imported only when needed, so
`factorscan --version` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from factorscan import __version__
from factorscan.core.errors import FactorscanError, UsageError
from factorscan.core.interrupts import FixInterrupted
from factorscan.output.reporters import FORMATS
from factorscan.output.wording import plural

if TYPE_CHECKING:
    from factorscan.core.findings import Finding
    from factorscan.core.settings import Settings
    from factorscan.core.source import SourceFile
    from factorscan.scan.engine import ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _selectors(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _check_parser() -> _Parser:
    parser = _Parser(
        prog="factorscan",
        description="Find Twelve-Factor App anti-patterns in a Python app; fix the ones it can.",
        epilog=(
            "Subcommands: `factorscan rules` lists the rules, `factorscan rule FS1101` explains one, "
            "`factorscan env` lists the environment variables the app reads (--format json, dotenv, k8s), "
            "`factorscan server` starts the language server. `factorscan SUBCOMMAND --help` for more."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to scan (default: .)")
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes in place: with no new variable set, the app behaves as before "
        "(logs go to stdout instead of a file)",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_true",
        default=None,
        help="also apply the unsafe fixes: they change behaviour on purpose (a loopback bind opens, "
        "a debug default turns off) or need new environment variables (a secret leaves the code); "
        "the run lists each change",
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    selection = parser.add_argument_group("rule selection (code prefixes: FS11 is factor XI)")
    selection.add_argument(
        "--select", type=_selectors, action="append", metavar="CODES", help="only these rules"
    )
    selection.add_argument(
        "--extend-select", type=_selectors, action="append", metavar="CODES", help="these rules too"
    )
    selection.add_argument(
        "--ignore", type=_selectors, action="append", metavar="CODES", help="not these rules"
    )
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, default=None, help="output format (default: full)")
    output.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE")
    output.add_argument("--statistics", action="store_true", help="count findings per rule")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    output.add_argument("-q", "--quiet", action="store_true", help="print findings only: no summary")
    review = parser.add_argument_group("pull requests and legacy code")
    review.add_argument(
        "--diff-base",
        metavar="REV",
        help="only report findings on lines added or changed since the git revision REV",
    )
    review.add_argument(
        "--baseline", type=Path, metavar="FILE", help="do not report the findings recorded in FILE"
    )
    review.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the current findings in FILE (to use with --baseline) and exit 0",
    )
    run = parser.add_argument_group("run")
    run.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml to read settings from")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache folder (default: <project>/.factorscan_cache; outside a project, the user cache)",
    )
    run.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: CPU count)")
    run.add_argument(
        "--stdin-filename", type=Path, metavar="PATH", help="read the source from stdin and report it as PATH"
    )
    run.add_argument("--profile", action="store_true", help="print where the time went, per phase, on stderr")
    parser.add_argument("--version", action="version", version=f"factorscan {__version__}")
    return parser


def _flatten(groups: list[list[str]] | None) -> list[str] | None:
    return None if groups is None else [item for group in groups for item in group]


def _load_settings(args: argparse.Namespace, start: Path) -> Settings:
    from factorscan.core.discovery import find_project_root
    from factorscan.core.settings import find_config_file, load_settings

    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        settings = load_settings(args.config.resolve(), args.config.resolve().parent)
    else:
        root = find_project_root(start)
        settings = load_settings(find_config_file(start.resolve(), root), root)
    _check_selectors(settings, args)
    select = _flatten(args.select)
    if select is not None:
        settings.select = select
    settings.extend_select = [*settings.extend_select, *(_flatten(args.extend_select) or [])]
    settings.ignore = [*settings.ignore, *(_flatten(args.ignore) or [])]
    if args.unsafe_fixes is not None:
        settings.unsafe_fixes = args.unsafe_fixes
    if args.cache_dir:
        settings.cache_dir = args.cache_dir
    return settings


def _check_selectors(settings: Settings, args: argparse.Namespace) -> None:
    """Rule selectors that match nothing are an error naming where they were written."""
    from factorscan.checks import validate_selectors
    from factorscan.core.settings import config_display

    if settings.config_file is not None:
        where = f"{config_display(settings.config_file)}: [tool.factorscan]"
        validate_selectors(settings.select or [], f"{where} select")
        validate_selectors(settings.extend_select, f"{where} extend-select")
        validate_selectors(settings.ignore, f"{where} ignore")
        for pattern, codes in settings.per_file_ignores.items():
            validate_selectors(codes, f"{where} per-file-ignores {pattern!r}")
    for option in ("select", "extend_select", "ignore"):
        validate_selectors(_flatten(getattr(args, option)) or [], "--" + option.replace("_", "-"))


def _progress(stream: TextIO) -> Callable[[int], Callable[[int], None]] | None:
    """A progress bar on a terminal for scans big enough to take a while."""
    if not stream.isatty():
        return None

    def start(total: int) -> Callable[[int], None]:
        if total < 300:
            return lambda _count: None
        from rich.progress import Progress

        # Refreshed by hand: a refresh thread would be running when the
        # process pool forks.
        progress = Progress(transient=True, auto_refresh=False, console=None)
        task = progress.add_task("Scanning", total=total)
        progress.start()
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            progress.update(task, advance=count)
            progress.refresh()
            if done >= total:
                progress.stop()

        return advance

    return start


def _open_output(path: Path | None) -> TextIO:
    if path is None:
        return sys.stdout
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {path}: {exc.strerror or exc}") from None


def check_command(argv: Sequence[str]) -> int:
    args = _check_parser().parse_args(argv)
    if not args.profile:
        return _check(args)
    from factorscan.core import profiling

    profiling.enable()
    started = time.perf_counter()
    try:
        return _check(args)
    finally:
        print(profiling.report(time.perf_counter() - started), file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.stdin_filename is not None and args.paths:
        raise UsageError("--stdin-filename reads stdin; do not also pass paths")
    if args.stdin_filename is not None and args.diff_base is not None:
        raise UsageError("--diff-base compares files on disk; it cannot be used with --stdin-filename")
    _check_combinations(args)

    from factorscan.core import lazy_import

    # A run whose files are all cached never parses: libcst is imported on first use.
    lazy_import.defer("libcst")
    from factorscan.core.cache import Cache
    from factorscan.scan.engine import ScanOptions, scan

    paths = args.paths or [Path(".")]
    start = args.stdin_filename.absolute().parent if args.stdin_filename else paths[0]
    if args.stdin_filename is None and not paths[0].exists():
        raise UsageError(f"{paths[0]}: no such file or directory")
    settings = _load_settings(args, start)
    stdin = (args.stdin_filename, sys.stdin.buffer.read()) if args.stdin_filename else None
    options = ScanOptions(
        jobs=args.jobs,
        use_cache=not args.no_cache,
        stdin=stdin,
        progress=None if args.quiet else _progress(sys.stderr),
        # --fix scans again after writing: without the disk cache, results stay in memory
        # so that only the files the fixes changed are analysed twice.
        memory_cache=Cache.in_memory() if args.fix and args.no_cache and stdin is None else None,
    )
    result = scan(paths, settings, options)
    fixed = 0
    behaviour_changes: list[str] = []
    if args.fix or args.diff:
        from factorscan.fixing.fixer import compute_fixes, write_fixes

        def review(findings: list[Finding], sources: Mapping[str, SourceFile]) -> list[Finding]:
            return _review_filters(args, settings, findings, sources)[0]

        file_fixes, problems = compute_fixes(result, settings, settings.unsafe_fixes, review)
        for problem in problems:
            _warn(problem)
        if args.diff:
            output = _open_output(args.output)
            for file_fix in file_fixes:
                output.write(file_fix.diff())
            changed = sum(1 for file_fix in file_fixes if file_fix.changed)
            if not args.quiet:
                count = sum(len(f.fixed) for f in file_fixes)
                print(f"Would fix {plural(count, 'finding')} in {plural(changed, 'file')}.", file=sys.stderr)
            return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_CLEAN
        if stdin is not None:
            # Editors pipe the buffer through `--fix`: the fixed text goes to stdout.
            fixed_file = file_fixes[0] if file_fixes else None
            data = fixed_file.source.encode(fixed_file.new_text) if fixed_file else stdin[1]
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return EXIT_CLEAN
        for problem in write_fixes(file_fixes):
            _warn(problem)
        written = [file_fix for file_fix in file_fixes if file_fix.changed]
        fixed = sum(len(file_fix.fixed) for file_fix in written)
        behaviour_changes = [change for file_fix in written for change in file_fix.behaviour_changes]
        if behaviour_changes and not args.quiet:
            # Unsafe fixes change behaviour on purpose: the user must know what to set.
            count = len(behaviour_changes)
            print(f"{count} fix{'es' if count != 1 else ''} changed behaviour:", file=sys.stderr)
            for change in behaviour_changes:
                print(f"  {change}", file=sys.stderr)
        if fixed:
            result = scan(paths, settings, options)
    return _report(args, settings, result, fixed, len(behaviour_changes) if args.fix else 0)


def _check_combinations(args: argparse.Namespace) -> None:
    """Options that would be silently ignored together are a usage error instead."""
    from factorscan.output.reporters import STATISTICS_FORMATS

    output_format = args.format or "full"
    if args.statistics and output_format not in STATISTICS_FORMATS:
        raise UsageError(
            f"--statistics prints counts as text; it cannot be used with --format {output_format} "
            f"(use it with {' or '.join(STATISTICS_FORMATS)})"
        )
    if args.diff and args.write_baseline is not None:
        raise UsageError("--diff only prints the fixes; it cannot be used with --write-baseline")
    if args.diff and output_format != "full":
        raise UsageError(
            f"--diff prints a unified diff; it cannot be used with --format {output_format}"
            + (" (the json format already holds each finding's fix)" if output_format == "json" else "")
        )
    if args.diff and args.statistics:
        raise UsageError("--diff prints a unified diff; it cannot be used with --statistics")


def _review_filters(
    args: argparse.Namespace, settings: Settings, findings: list[Finding], sources: Mapping[str, SourceFile]
) -> tuple[list[Finding], int]:
    """--baseline and --diff-base: the findings reported (and fixed), and how many the baseline hid."""
    before = len(findings)
    root = settings.project_root
    if args.baseline is not None:
        from factorscan.output.baseline import filter_baseline, read_baseline

        findings = filter_baseline(findings, sources, root, read_baseline(args.baseline))
    hidden_by_baseline = before - len(findings)
    if args.diff_base is not None:
        from factorscan.checks import rule_by_code
        from factorscan.output.gitdiff import changed_lines, filter_changed

        def changed_by(finding: Finding) -> tuple[str, ...]:
            rule = rule_by_code(finding.code)
            return rule.changed_by if rule is not None else ()

        changes = changed_lines(args.diff_base, root)
        findings = filter_changed(findings, changes, changed_by, root)
    return findings, hidden_by_baseline


def _report(
    args: argparse.Namespace, settings: Settings, result: ScanResult, fixed: int, behaviour_changes: int = 0
) -> int:
    from factorscan.core import profiling
    from factorscan.output.reporters import Report, writer

    for warning in result.warnings:
        _warn(warning)
    if args.write_baseline is not None:
        from factorscan.output.baseline import write_baseline

        for error in result.errors:
            print(f"factorscan: error: {error}", file=sys.stderr)
        count = write_baseline(args.write_baseline, result.findings, result.sources, settings.project_root)
        if not args.quiet:
            print(f"Wrote {plural(count, 'finding')} to the baseline {args.write_baseline}.", file=sys.stderr)
        return EXIT_ERROR if result.errors else EXIT_CLEAN
    findings, hidden_by_baseline = _review_filters(args, settings, result.findings, result.sources)
    report = Report(
        findings=findings,
        sources=result.sources,
        files_scanned=result.files_scanned,
        templated_files=result.templated_files,
        unsafe_fixes=settings.unsafe_fixes,
        fixed=fixed,
        behaviour_changes=behaviour_changes,
        hidden_by_baseline=hidden_by_baseline,
        statistics=args.statistics,
        quiet=args.quiet,
        project_root=settings.project_root,
        rules=tuple(result.ruleset.rules),
    )
    output = _open_output(args.output)
    try:
        with profiling.phase("reporting"):
            writer(args.format or "full")(report, output)
    finally:
        if output is not sys.stdout:
            output.close()
    for error in result.errors:
        print(f"factorscan: error: {error}", file=sys.stderr)
    if result.errors:
        return EXIT_ERROR
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _warn(message: str) -> None:
    print(f"factorscan: warning: {message}", file=sys.stderr)


# -- subcommands ---------------------------------------------------------------------


def rules_command(argv: Sequence[str]) -> int:
    parser = _Parser(prog="factorscan rules", description="List every rule.")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    from factorscan.checks import all_rules

    rules = all_rules()
    if args.format == "json":
        import json

        data = [
            {
                "code": rule.code,
                "name": rule.name,
                "factor": rule.factor().numeral,
                "factor_title": rule.factor().title,
                "severity": rule.severity.value,
                "fix": rule.fix_availability.value,
                "summary": rule.summary,
            }
            for rule in rules
        ]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_CLEAN

    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in ("Code", "Name", "Factor", "Severity", "Fix", "Summary"):
        table.add_column(column, no_wrap=column != "Summary")
    for rule in rules:
        factor = rule.factor()
        table.add_row(
            rule.code,
            rule.name,
            f"{factor.numeral} {factor.title}",
            rule.severity.value,
            rule.fix_availability.value,
            rule.summary,
        )
    Console(highlight=False, width=None if sys.stdout.isatty() else 160).print(table)
    return EXIT_CLEAN


def rule_command(argv: Sequence[str]) -> int:
    parser = _Parser(prog="factorscan rule", description="Explain one rule.")
    parser.add_argument("code", help="a rule code (FS1101) or name (log-file-handler)")
    args = parser.parse_args(argv)
    from factorscan.checks import rule_by_code
    from factorscan.output.docs import rule_markdown

    rule = rule_by_code(args.code.strip())
    if rule is None:
        raise UsageError(f"unknown rule {args.code!r} (see `factorscan rules`)")
    sys.stdout.write(rule_markdown(rule))
    return EXIT_CLEAN


def env_command(argv: Sequence[str]) -> int:
    from factorscan.output.envcontract.render import FORMATS as ENV_FORMATS

    parser = _Parser(
        prog="factorscan env",
        description="Print the app's configuration contract: every environment variable its code reads.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to read (default: .)")
    parser.add_argument(
        "--format", choices=ENV_FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument("--name", help="name for the k8s ConfigMap and Secret (default: the project folder)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="list the required variables no deployment descriptor provides; exit 1 if there are any",
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    parser.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml to read settings from")
    args = parser.parse_args(argv)
    paths = args.paths or [Path(".")]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    from factorscan.output.envcontract.collect import collect
    from factorscan.output.envcontract.render import write, write_check

    overrides = argparse.Namespace(
        config=args.config, select=None, extend_select=None, ignore=None, unsafe_fixes=None, cache_dir=None
    )
    contract = collect(paths, _load_settings(overrides, paths[0]))
    for warning in contract.warnings:
        _warn(warning)
    output = _open_output(args.output)
    try:
        if args.check:
            return EXIT_FINDINGS if write_check(contract, output) else EXIT_CLEAN
        write(contract, args.format, output, args.name)
    finally:
        if output is not sys.stdout:
            output.close()
    return EXIT_CLEAN


def server_command(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="factorscan server",
        description="Start the language server: LSP over stdin/stdout, for editors.",
    )
    # Editors' generic LSP clients often pass --stdio; it is the only transport.
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.parse_args(argv)
    import importlib.util

    if importlib.util.find_spec("pygls") is None or importlib.util.find_spec("lsprotocol") is None:
        raise UsageError(
            "the language server needs pygls: install factorscan with its lsp extra, factorscan[lsp]"
        )
    from factorscan.integrations.lsp import serve

    serve()
    return EXIT_CLEAN


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "check": check_command,
    "rules": rules_command,
    "rule": rule_command,
    "env": env_command,
    "server": server_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        # A subcommand name wins over a folder of that name; `./rules` scans the folder.
        if arguments and arguments[0] in SUBCOMMANDS:
            return SUBCOMMANDS[arguments[0]](arguments[1:])
        return check_command(arguments)
    except FactorscanError as exc:
        print(f"factorscan: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        # After some fixed files were written, the user must know how many.
        print(f"factorscan: {exc if isinstance(exc, FixInterrupted) else 'interrupted'}", file=sys.stderr)
        # Leave at once: the interpreter's shutdown would join a process pool torn down
        # mid-run, and concurrent.futures' exit hook can then print a traceback (a race in
        # its wake-up pipe). Files are already whole: fixes are written atomically.
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(130)
    except BrokenPipeError:
        # The reader went away (`factorscan | head`); nothing left to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLEAN
    except SystemExit as exc:  # argparse's --help and --version
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else EXIT_ERROR
    except Exception as exc:
        print(
            f"factorscan: internal error: {type(exc).__name__} (please report it with the command you ran)",
            file=sys.stderr,
        )
        if os.environ.get("FACTORSCAN_DEBUG"):
            raise
        return EXIT_ERROR
