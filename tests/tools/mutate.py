"""Mutation testing for rule modules: do the tests notice when a rule's edge moves?

    python tests/tools/mutate.py checks/config/hardcoded_secret.py [more modules...]
    python tests/tools/mutate.py checks/config/_shared.py --examples-only
    python tests/tools/mutate.py checks/config/_shared.py --tests tests/test_secret_shapes.py

Each module is mutated one change at a time (a comparison flipped, `and`/`or`
swapped, a condition negated or replaced by True/False, a number moved by one,
an early `continue`/`return` removed, a string dropped from a membership
collection). A mutant is *killed* when a test fails with it, and *survives*
otherwise. The score is killed/total per module; survivors are listed with
their line and mutation, to be killed by a VALID/INVALID example or explained
as equivalent.

The tests run against a copy of the package (put first on PYTHONPATH, so the
worktree is never changed), in two stages:

1. The rule examples (tests/test_rule_examples.py: each example and its
   prefilter check) of the rules the module serves, in a process forked per
   mutant, running only the examples that execute the mutated line (traced
   once on the unmutated module). Most mutants die here within a second.
2. For the survivors: pytest (-x, a timeout) on every test file that names one
   of those rule codes. `--examples-only` skips this stage; `--tests FILE...` runs only
   those files (faster, and the score is then a lower bound).

A mutant that makes the tests time out (an endless loop) counts as killed.
Too slow for CI: run it before resolving an issue that touches a rule, and
quote the scores (docs/contributing.md).
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"

_CODE = re.compile(r'^\s*code\s*(?::\s*\w+\s*)?=\s*"(FS\d{4})"', re.MULTILINE)
_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_OPERATOR_TEXT = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}  # fmt: skip
# Class attributes that are data about the rule, not its logic: examples and metadata.
_NOT_LOGIC = {"VALID", "INVALID", "code", "name", "summary", "severity", "fix_availability", "__all__"}


@dataclass(frozen=True)
class Mutant:
    line: int
    description: str
    source: str


@dataclass
class Result:
    module: str
    codes: list[str]
    killed: list[tuple[Mutant, str]] = field(default_factory=list)
    survived: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.killed) + len(self.survived)


# --- making mutants -------------------------------------------------------------------


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes that are docstrings, examples or metadata: mutating them tests nothing."""
    skipped: set[int] = set()

    def skip(node: ast.AST) -> None:
        skipped.update(id(inner) for inner in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        if is_docstring and isinstance(first.value.value, str):  # type: ignore[union-attr]
            skip(first)  # type: ignore[arg-type]
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and target.id in _NOT_LOGIC for target in targets):
                skip(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip(node)
    return skipped


def _edits(node: ast.AST, parents: dict[int, ast.AST]) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    """(description, edit) pairs for one node; an edit changes a copy of the node in place."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            flipped = _FLIPPED.get(type(op))
            if flipped is not None:

                def flip(target: ast.AST, index: int = index, flipped: type[ast.cmpop] = flipped) -> None:
                    target.ops[index] = flipped()  # type: ignore[attr-defined]

                yield f"`{_OPERATOR_TEXT[type(op)]}` -> `{_OPERATOR_TEXT[flipped]}`", flip
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        names = {ast.And: "and", ast.Or: "or"}

        def swap(target: ast.AST, other: type[ast.boolop] = other) -> None:
            target.op = other()  # type: ignore[attr-defined]

        yield f"`{names[type(node.op)]}` -> `{names[other]}`", swap
    elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
        kind = type(node).__name__.lower()
        if kind == "ifexp":
            kind = "conditional expression"

        def negate(target: ast.AST) -> None:
            target.test = ast.UnaryOp(op=ast.Not(), operand=target.test)  # type: ignore[attr-defined]

        yield f"{kind} condition negated", negate
        for value in (True, False):
            if isinstance(node, ast.While) and value:
                continue  # `while True` only hangs; a timeout is no information

            def constant(target: ast.AST, value: bool = value) -> None:
                target.test = ast.Constant(value)  # type: ignore[attr-defined]

            yield f"{kind} condition -> {value}", constant
    elif isinstance(node, ast.comprehension):
        for index in range(len(node.ifs)):

            def unfilter(target: ast.AST, index: int = index) -> None:
                target.ifs[index] = ast.Constant(True)  # type: ignore[attr-defined]

            yield "comprehension filter -> True", unfilter
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        for delta in (1, -1):

            def shift(target: ast.AST, delta: int = delta) -> None:
                target.value += delta  # type: ignore[attr-defined]

            yield f"{node.value} -> {node.value + delta}", shift
    elif isinstance(node, ast.Continue) or (isinstance(node, ast.Return) and _is_early(node, parents)):
        word = "continue" if isinstance(node, ast.Continue) else "return"
        yield f"`{word}` removed", _to_pass
    elif isinstance(node, (ast.Tuple, ast.Set, ast.List)) and (
        isinstance(parents.get(id(node)), ast.Compare) or _is_constant_collection(node, parents)
    ):
        yield from _membership_edits(node)


def _membership_edits(
    node: ast.Tuple | ast.Set | ast.List,
) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    strings = [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, (str, bytes))]
    if len(strings) < 2:
        return  # one string is a value, not a set of cases
    for index, element in enumerate(node.elts):
        if element in strings:

            def drop(target: ast.AST, index: int = index) -> None:
                del target.elts[index]  # type: ignore[attr-defined]

            yield f"{ast.unparse(element)[:40]} dropped from the collection", drop


def _is_constant_collection(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """A collection that is (part of) a module or class constant: `NAMES = frozenset({...})`."""
    parent = parents.get(id(node))
    while isinstance(parent, ast.Call):  # frozenset(...), tuple(...)
        parent = parents.get(id(parent))
    return isinstance(parent, (ast.Assign, ast.AnnAssign))


def _is_early(node: ast.Return, parents: dict[int, ast.AST]) -> bool:
    """A return inside an if/for/while/try: an exit taken on some inputs only."""
    parent = parents.get(id(node))
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(parent, (ast.If, ast.For, ast.While, ast.Try)):
            return True
        parent = parents.get(id(parent))
    return False


def _to_pass(target: ast.AST) -> None:
    target.__class__ = ast.Pass
    for name in ("value",):
        if hasattr(target, name):
            delattr(target, name)


def mutants(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    skipped = _skipped_nodes(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    nodes = list(ast.walk(tree))
    baseline = ast.unparse(tree)
    found: list[Mutant] = []
    seen: set[str] = {baseline}
    for position, node in enumerate(nodes):
        if id(node) in skipped:
            continue
        for description, edit in _edits(node, parents):
            mutated_tree = copy.deepcopy(tree)
            edit(list(ast.walk(mutated_tree))[position])
            text = ast.unparse(mutated_tree)
            if text in seen:
                continue
            seen.add(text)
            line = getattr(node, "lineno", None) or getattr(node.target, "lineno", 0)  # comprehension
            found.append(Mutant(line, description, text))
    return found


# --- which tests ---------------------------------------------------------------------


def codes_for(module: Path) -> list[str]:
    """The rule codes a module serves: its own, or for a helper module every rule of its package
    that imports it."""
    own = _CODE.findall(module.read_text(encoding="utf-8"))
    if own:
        return own
    codes = [code for user in users_of(module) for code in _CODE.findall(user.read_text(encoding="utf-8"))]
    return sorted(set(codes))


def users_of(module: Path) -> list[Path]:
    """The modules of a helper's package that import it (its constants feed their class bodies,
    so a mutant of the helper reloads them too)."""
    helper = module.stem
    return [
        sibling
        for sibling in sorted(module.parent.glob("*.py"))
        if sibling != module
        and re.search(rf"\bfrom \.{helper} import|\.{helper}\b", sibling.read_text(encoding="utf-8"))
    ]


def test_files_naming(codes: list[str]) -> list[Path]:
    return [
        path
        for path in sorted(TESTS.glob("test_*.py"))
        if path.name != "test_rule_examples.py"
        and any(code in path.read_text(encoding="utf-8") for code in codes)
    ]


# --- running -------------------------------------------------------------------------


def _package_copy(into: Path) -> Path:
    """The installed layout (analyzer/ is factorscan, checks/ is factorscan.checks) under `into`."""
    site = into / "site"
    shutil.copytree(REPO / "analyzer", site / "factorscan", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        REPO / "checks", site / "factorscan" / "checks", ignore=shutil.ignore_patterns("__pycache__")
    )
    return site


def _installed_path(site: Path, module: Path) -> Path:
    relative = module.resolve().relative_to(REPO)
    parts = relative.parts
    if parts[0] == "analyzer":
        return site / "factorscan" / Path(*parts[1:])
    return site / "factorscan" / relative


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    for compiled in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        compiled.unlink()  # a mutant written in the same second must not reuse the last one's bytecode


def _example_cases(site: Path, codes: list[str]) -> list[tuple[str, str, int]]:
    """(code, kind, index) of every example of the rules; kind is valid/invalid/prefilter."""
    script = (
        "import json, sys\n"
        "from factorscan.checks import rule_by_code\n"
        "cases = []\n"
        "for code in sys.argv[1:]:\n"
        "    rule = rule_by_code(code)\n"
        "    cases += [(code, 'valid', i) for i in range(len(rule.VALID))]\n"
        "    cases += [(code, 'invalid', i) for i in range(len(rule.INVALID))]\n"
        "    cases += [(code, 'prefilter', i) for i in range(len(rule.INVALID))]\n"
        "print(json.dumps(cases))\n"
    )
    import json

    output = subprocess.run(
        [sys.executable, "-c", script, *codes], env=_env(site), capture_output=True, text=True, check=True
    )
    return [tuple(case) for case in json.loads(output.stdout)]


def _env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)]), "NO_COLOR": "1"}


def _module_name(module: Path) -> str:
    relative = module.resolve().relative_to(REPO).with_suffix("")
    parts = relative.parts[1:] if relative.parts[0] == "analyzer" else relative.parts
    return ".".join(("factorscan", *parts))


def _load_mutant(name: str, source: str, filename: str) -> None:
    """Make the imported module `name` behave as `source`, in this (forked) process.

    The mutated code runs in the module's own namespace. Its classes are copied onto the
    classes already imported (the registry, base classes and isinstance checks keep seeing
    the same objects), and other modules that imported a changed name get the new value.
    """
    module = sys.modules[name]
    namespace = module.__dict__
    before = dict(namespace)
    classes = {
        key: value for key, value in before.items() if isinstance(value, type) and value.__module__ == name
    }
    exec(compile(source, filename, "exec"), namespace)
    for key, old in classes.items():
        new = namespace.get(key)
        if isinstance(new, type) and new is not old:
            _patch_class(old, new)
            namespace[key] = old
    changed = {key: value for key, value in before.items() if namespace.get(key) is not value}
    for other in list(sys.modules.values()):
        other_namespace = getattr(other, "__dict__", None)
        if other is module or not isinstance(other_namespace, dict):
            continue
        for key, value in changed.items():
            if other_namespace.get(key) is value:
                other_namespace[key] = namespace[key]


def _patch_class(old: type, new: type) -> None:
    for key, value in new.__dict__.items():
        if key in ("__dict__", "__weakref__", "__module__", "__qualname__"):
            continue
        for function in (value, getattr(value, "__func__", None), getattr(value, "fget", None)):
            for cell in getattr(function, "__closure__", None) or ():
                if cell.cell_contents is new:  # the __class__ cell zero-argument super() reads
                    cell.cell_contents = old
        setattr(old, key, value)


def _import_from(site: Path) -> None:
    """Import the unmutated package copy and the example tests once, in this process; each
    mutant's fork starts from here."""
    if str(site) in sys.path:
        return
    sys.path[:0] = [str(site), str(REPO)]
    from factorscan.checks import all_rules
    from tests import test_rule_examples  # noqa: F401

    all_rules()


def _run_case(case: tuple[str, str, int]) -> None:
    """One example test, in this (forked) process, as tests/test_rule_examples.py runs it."""
    from factorscan.checks import rule_by_code
    from tests import test_rule_examples

    code, kind, index = case
    rule = rule_by_code(code)
    assert rule is not None
    if kind == "prefilter":
        test_rule_examples.test_invalid_example_passes_the_prefilter(rule, rule.INVALID[index])
        return
    example = (rule.VALID if kind == "valid" else rule.INVALID)[index]
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        test_rule_examples.test_example(Path(tmp), rule, example)


def _forked(site: Path, action: Callable[[], object], timeout: float) -> tuple[bool, str]:
    """Run `action` in a forked child importing factorscan from `site`: (passed, why not)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        status, message = 0, ""
        try:
            action()
        except BaseException as error:
            status, message = 1, f"{type(error).__name__}: {str(error)[:200]}"
        os.write(write_end, message.encode("utf-8", "replace"))
        os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            return False, f"timed out after {timeout:.0f} s"
        time.sleep(0.01)
    with os.fdopen(read_end, "rb") as reader:
        message = reader.read().decode("utf-8", "replace")
    return os.waitstatus_to_exitcode(status) == 0, message


def _lines_run_by(site: Path, target: Path, cases: list[tuple[str, str, int]]) -> dict[tuple, set[int]]:
    """For each case, the lines of `target` it executes (traced once, unmutated)."""
    import json

    result_file = Path(tempfile.mkstemp(suffix=".json")[1])

    def trace_all() -> None:
        filename = str(target)
        lines: set[int] = set()

        def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
            if frame.f_code.co_filename != filename:
                return None
            if event == "line":
                lines.add(frame.f_lineno)
            return tracer

        def global_tracer(frame, event, arg):  # type: ignore[no-untyped-def]
            if frame.f_code.co_filename == filename:
                if event == "call":
                    lines.add(frame.f_lineno)
                return tracer
            return None

        # Import everything first: lines run at import belong to no one example.
        from factorscan.checks import all_rules
        from tests import test_rule_examples  # noqa: F401

        all_rules()
        covered = {}
        for case in cases:
            lines.clear()
            sys.settrace(global_tracer)
            try:
                _run_case(case)
            finally:
                sys.settrace(None)
            covered[json.dumps(case)] = sorted(lines)
        result_file.write_text(json.dumps(covered))

    passed, message = _forked(site, trace_all, timeout=1800)
    if not passed:
        raise SystemExit(f"the rule examples fail on the unmutated code: {message}")
    covered = json.loads(result_file.read_text())
    result_file.unlink()
    return {tuple(json.loads(case)): set(lines) for case, lines in covered.items()}


def _enclosing_lines(source: str) -> dict[int, set[int]]:
    """line -> every line of the statements enclosing it, so a mutant in a condition that spans
    lines, or in a `def` line run at import, is matched to the examples that reach it."""
    tree = ast.parse(source)
    spans: dict[int, set[int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            end = node.end_lineno or node.lineno
            head = node.body[0].lineno - 1 if hasattr(node, "body") and node.body else end  # type: ignore[attr-defined]
            for line in range(node.lineno, min(head, end) + 1):
                spans.setdefault(line, set()).update(range(node.lineno, min(head, end) + 1))
    return spans


def _function_lines(source: str) -> set[int]:
    """Lines inside function bodies; the others run once, at import, for every example."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.update(range(node.body[0].lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def mutate_module(
    module: Path, site: Path, examples_only: bool, limit: int | None, tests: list[Path] | None = None
) -> Result:
    """Mutate one module of the package copy at `site` (imported once, by the first call).
    `tests`, when given, are stage 2's test files instead of every file naming the codes."""
    started = time.monotonic()
    source = module.read_text(encoding="utf-8")
    codes = codes_for(module)
    result = Result(module.resolve().relative_to(REPO).as_posix(), codes)
    if not codes:
        print(f"{result.module}: no rule uses it; skipped", file=sys.stderr)
        return result
    all_mutants = mutants(source)[:limit]
    target = _installed_path(site, module)
    cases = _example_cases(site, codes)
    _import_from(site)
    covered = _lines_run_by(site, target, cases)
    name = _module_name(module)
    users = [] if _CODE.search(source) else users_of(module)
    spans = _enclosing_lines(source)
    in_functions = _function_lines(source)
    case_seconds = 2.0
    files = [] if examples_only else ([t.resolve() for t in tests] if tests else test_files_naming(codes))
    suite_seconds = _suite_baseline(site, files) if files else 0.0
    for number, mutant in enumerate(all_mutants, start=1):
        lines = spans.get(mutant.line, {mutant.line})
        if mutant.line in in_functions:
            reaching = [case for case in cases if covered[case] & lines]
        else:
            reaching = cases
        verdict = ""
        if reaching:

            def run_reaching(reaching: list = reaching, mutant: Mutant = mutant) -> None:
                _load_mutant(name, mutant.source, str(target))
                for user in users:
                    _load_mutant(_module_name(user), user.read_text(encoding="utf-8"), str(user))
                for case in reaching:
                    _run_case(case)

            passed, why = _forked(site, run_reaching, timeout=30 + case_seconds * len(reaching) * 3)
            if not passed:
                verdict = f"example: {why}"
        if not verdict and files:
            _write(target, mutant.source)
            passed, why = _suite(site, files, timeout=suite_seconds * 3 + 30)
            if not passed:
                verdict = f"suite: {why}"
        if verdict:
            result.killed.append((mutant, verdict))
        else:
            result.survived.append(mutant)
        print(
            f"\r{result.module}: {number}/{len(all_mutants)} mutants, {len(result.survived)} survived",
            end="",
            file=sys.stderr,
            flush=True,
        )
    _write(target, source)
    print(file=sys.stderr)
    result.seconds = time.monotonic() - started
    return result


def _suite(site: Path, files: list[Path], timeout: float) -> tuple[bool, str]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    try:
        completed = subprocess.run(
            [*command, *map(str, files)],
            cwd=REPO,
            env=_env(site),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout:.0f} s"
    failed = re.findall(r"^FAILED (\S+)", completed.stdout, re.MULTILINE)
    return completed.returncode == 0, ", ".join(failed) or completed.stdout[-200:]


def _suite_baseline(site: Path, files: list[Path]) -> float:
    started = time.monotonic()
    passed, why = _suite(site, files, timeout=3600)
    if not passed:
        raise SystemExit(f"the tests fail on the unmutated code: {why}")
    return time.monotonic() - started


def report(result: Result) -> str:
    if not result.total:
        return f"{result.module}: no mutants"
    score = 100 * len(result.killed) / result.total
    lines = [
        f"{result.module} ({', '.join(result.codes)}): {len(result.killed)}/{result.total} killed "
        f"({score:.0f}%) in {result.seconds:.0f} s"
    ]
    lines += [
        f"  survived: line {m.line}: {m.description}" for m in sorted(result.survived, key=lambda m: m.line)
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", type=Path, help="rule modules or a factor's _shared.py")
    parser.add_argument("--examples-only", action="store_true", help="stage 1 only: the rule examples")
    parser.add_argument("--limit", type=int, help="at most this many mutants per module (a quick look)")
    parser.add_argument("--list", action="store_true", help="print the mutants without running them")
    parser.add_argument(
        "--tests",
        nargs="+",
        type=Path,
        help="stage 2 runs only these test files (a focused look: the score is then a lower bound)",
    )
    args = parser.parse_args(argv)
    if args.list:
        for module in args.modules:
            for mutant in mutants(module.read_text(encoding="utf-8")):
                print(f"{module}:{mutant.line}: {mutant.description}")
        return 0
    # A terminated run still removes its package copy (the forked children leave by os._exit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # One copy for the whole run: the first module imports it, and every mutant forks from there.
    with tempfile.TemporaryDirectory(prefix="factorscan-mutate-") as tmp:
        site = _package_copy(Path(tmp))
        for module in args.modules:
            result = mutate_module(module, site, args.examples_only, args.limit, args.tests)
            print(report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
