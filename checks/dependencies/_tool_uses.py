"""FS0202 undeclared-system-tool, its Python side: the fact collector `SystemToolUses`, which finds
the system tools a file runs (subprocess, os, sh, plumbum, pexpect, libraries that run one) unless
the code copes without them, and the reading of command lines it needs. The rule itself, which
judges these uses against the Docker images, is in `undeclared_system_tool.py`."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import NamedTuple

import libcst as cst

from factorscan.checks.base import Guarded, SourceVisitor
from factorscan.checks.dependencies._shared import is_tooling
from factorscan.core.discovery import is_sample_path, is_test_path
from factorscan.deploy.shell import commands, is_assignment, script_index, words
from factorscan.deploy.system_tools import (
    BINARIES,
    PATH_DIRS,
    SHELL_LINE_FUNCTIONS,
    SUBPROCESS_FUNCTIONS,
)
from factorscan.python.imports import dotted_name
from factorscan.python.nodes import iter_children


class SystemToolUse(NamedTuple):
    """The first place a Python file runs a system tool."""

    tool: str
    how: str  # how it is run: `subprocess.run`, `shutil.which`...
    row: int
    column: int
    end_row: int
    end_column: int


_SUBPROCESS = SUBPROCESS_FUNCTIONS


# Functions whose first argument is a shell command line.
_SHELL_LINES = SHELL_LINE_FUNCTIONS | {"pexpect.spawn", "pexpect.run"}


# Functions whose first argument is the program.
_PROGRAM_FIRST = frozenset(
    {
        *(f"os.exec{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
        "os.posix_spawn",
        "os.posix_spawnp",
        "asyncio.create_subprocess_exec",
        "sh.Command",
        "plumbum.local.get",
        "plumbum.machines.local.get",
    }
)


_SPAWN = frozenset(f"os.spawn{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"))


_WHICH = frozenset(
    {
        "shutil.which",
        "sh.which",
        "plumbum.local.which",
        "plumbum.machines.local.which",
        "distutils.spawn.find_executable",
    }
)


_PLUMBUM_LOCAL = frozenset({"plumbum.local", "plumbum.machines.local"})


# Libraries that run a tool for the app (qualified-name prefix -> tool): calling them needs it.
_LIBRARY_TOOLS = (
    ("pytesseract.", "tesseract"),
    ("pdfkit.from_", "wkhtmltopdf"),
    ("imgkit.from_", "wkhtmltoimage"),
    ("pdf2image.convert_from_", "pdftoppm"),
    ("pdf2image.pdfinfo_from_", "pdfinfo"),
    ("pypandoc.convert_", "pandoc"),
    ("ffmpeg.input", "ffmpeg"),
    ("ffmpeg.probe", "ffprobe"),
    *((f"pydub.AudioSegment.from_{kind}", "ffmpeg") for kind in ("file", "mp3", "ogg", "flv")),
)


# Ways to point such a library at a binary of its own (a path, a download): then it is not ours to judge.
_LIBRARY_PATHS = {
    "pdfkit.configuration": "wkhtmltopdf",
    "imgkit.config": "wkhtmltoimage",
    "pypandoc.download_pandoc": "pandoc",
    "pypandoc.ensure_pandoc_installed": "pandoc",
}


# Exceptions that mean "the program is not there" when caught around a call.
_MISSING_PROGRAM = frozenset(
    {
        "builtins.FileNotFoundError",
        "builtins.OSError",
        "builtins.EnvironmentError",
        "builtins.IOError",
        "builtins.Exception",
        "builtins.BaseException",
        "builtins.ImportError",
        "sh.CommandNotFound",
        "plumbum.CommandNotFound",
        "plumbum.commands.processes.CommandNotFound",
        "pytesseract.TesseractNotFoundError",
        "pytesseract.pytesseract.TesseractNotFoundError",
        "pdf2image.exceptions.PDFInfoNotInstalledError",
    }
)


# Words before the program in a command line: `sudo`, `env A=1`, `timeout 30`, `nice -n 5`.
_PREFIXES = frozenset(
    {
        "sudo",
        "env",
        "exec",
        "command",
        "nice",
        "nohup",
        "time",
        "timeout",
        "stdbuf",
        "ionice",
        "setsid",
        "xargs",
    }
)


# Their options that take a value (`sudo -u app`, `nice -n 5`, `timeout -s KILL 30`).
_PREFIX_OPTIONS = {
    "sudo": frozenset({"-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-D"}),
    "env": frozenset({"-u", "-C", "-S"}),
    "nice": frozenset({"-n"}),
    "timeout": frozenset({"-s", "-k"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "xargs": frozenset({"-I", "-n", "-P", "-d", "-L", "-s", "-a", "-E"}),
}


_PLACEHOLDER = "\0"  # an f-string field or a value not known statically


# Developer and CI tooling: it runs on laptops and CI runners, not in the image.
_DEV_FILES = frozenset({"tasks.py", "deploy.py", "release.py", "build.py"})


_DEV_FOLDERS = frozenset({"scripts", "tools", "dev", "devtools", "ci"})


def _is_app_code(relative: str) -> bool:
    """Code that runs in the deployed app: not tests, samples, docs or developer tooling."""
    path = PurePosixPath(relative)
    return not (
        is_tooling(relative)
        or path.name in _DEV_FILES
        or any(part in _DEV_FOLDERS or part.startswith(".") for part in path.parts[:-1])
        or is_test_path(relative)
        or is_sample_path(relative)
    )


def _program(argv: list[str]) -> str | None:
    """The program of a command line, past assignments and prefixes; None when not a plain name."""
    index = 0
    prefix = ""
    while index < len(argv):
        word = argv[index]
        if is_assignment(word):
            index += 1
        elif word in _PREFIXES:
            prefix = word
            index += 1
        elif prefix and word.startswith("-"):
            index += 2 if word in _PREFIX_OPTIONS.get(prefix, ()) else 1
        elif prefix == "timeout":
            prefix = ""
            index += 1  # the duration
        else:
            break
    if index >= len(argv):
        return None
    word = argv[index]
    if any(char in word for char in f"${{`{_PLACEHOLDER}"):
        return None
    folder, _, name = word.rpartition("/")
    if folder and folder not in PATH_DIRS:
        return None  # the app's own script, or a path only it knows
    return name if name in BINARIES else None


class SystemToolUses(SourceVisitor):
    """Per file: the system tools the code runs, with where, unless it copes without them."""

    triggers = (
        b"subprocess",
        re.compile(rb"os\.(system|popen|spawn|exec[lv]|posix_spawn)"),
        re.compile(rb"from\s+os\s+import[^\r\n]*\b(system|popen|spawn|exec[lv]|posix_spawn)"),
        Guarded(rb"\bwhich\s*\(", b"which(", b"which ("),
        Guarded(
            rb"^[ \t]*(import[ \t]+sh\b|from[ \t]+sh[ \t]+import)",
            b"import sh",
            b"from sh",
            b"\tsh",
            b"  sh",
            flags=re.MULTILINE,
        ),
        b"plumbum",
        b"pexpect",
        *(b"pytesseract", b"pdfkit", b"imgkit", b"pdf2image", b"pypandoc", b"pydub"),
        Guarded(rb"^[ \t]*(import|from)[ \t]+ffmpeg\b", b"ffmpeg", flags=re.MULTILINE),
    )

    def __init__(self) -> None:
        # Per function (the module first): variable -> the values assigned to it so far.
        self.scopes: list[dict[str, list[cst.BaseExpression]]] = [{}]
        self.probes: list[dict[str, str]] = [{}]  # variable -> tool, for `path = shutil.which("x")`
        self.uses: list[tuple[str, cst.CSTNode, str]] = []  # tool, node, how it is run
        self.optional: set[str] = set()

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return _is_app_code(relative_path)

    # -- scopes and the values of local names -----------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append({})
        self.probes.append({})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.probes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.scopes[-1].setdefault(target.target.value, []).append(node.value)
            elif isinstance(target.target, cst.Attribute) and target.target.attr.value == "tesseract_cmd":
                self.optional.add("tesseract")  # pytesseract pointed at a binary of the app's choosing

    def _values(self, name: cst.Name) -> list[cst.BaseExpression]:
        for scope in (self.scopes[-1], self.scopes[0]):
            if name.value in scope:
                return scope[name.value]
        constant = self.context.module_constant(name)
        return [constant] if constant is not None else []

    # -- guards: which() tested, calls in try/except ------------------------------------------

    def visit_If(self, node: cst.If) -> None:
        self._tested(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._tested(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._tested(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._tested(node.test)

    def _tested(self, test: cst.BaseExpression) -> None:
        """`if not ffmpeg_path:` after `ffmpeg_path = shutil.which("ffmpeg")`: the tool is optional."""
        pending: list[cst.CSTNode] = [test]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.Name):
                for probes in (self.probes[-1], self.probes[0]):
                    if node.value in probes:
                        self.optional.add(probes[node.value])
            pending.extend(iter_children(node))

    def _in_condition(self) -> bool:
        """The node being visited is (part of) a condition or a fallback: `if which(...)`, `which(...) or`."""
        stack = self.context.stack
        for index in range(len(stack) - 2, -1, -1):
            node, child = stack[index], stack[index + 1]
            if isinstance(node, (cst.BooleanOperation, cst.UnaryOperation, cst.Comparison)):
                return True
            if isinstance(node, (cst.If, cst.While, cst.IfExp, cst.Assert)):
                return child is node.test
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return False
        return False

    def _handled(self) -> bool:
        """Inside a `try:` whose handler catches a missing program and does not re-raise."""
        stack = self.context.stack
        for index in range(len(stack) - 2, -1, -1):
            node, child = stack[index], stack[index + 1]
            if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(node, cst.Try) and child is node.body:
                for handler in node.handlers:
                    if self._catches_missing(handler) and not _reraises(handler):
                        return True
        return False

    def _catches_missing(self, handler: cst.ExceptHandler) -> bool:
        if handler.type is None:
            return True
        types = (
            [element.value for element in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        return any(self.context.qualified_name(kind) in _MISSING_PROGRAM for kind in types)

    # -- the calls ----------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name is None:
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        if name in _WHICH:
            self._probe(node, positional)
        elif name in _SUBPROCESS:
            self._subprocess(node, name, positional)
        elif name in _SHELL_LINES and positional:
            self._use(self._shell_programs(positional[0].value), name)
        elif name in _PROGRAM_FIRST and positional:
            self._use(self._argv_programs(positional[0].value, whole=False), name)
        elif name in _SPAWN and len(positional) > 1:
            self._use(self._argv_programs(positional[1].value, whole=False), name)
        elif name in _LIBRARY_PATHS:
            self.optional.add(_LIBRARY_PATHS[name])
        else:
            tool = next((tool for prefix, tool in _LIBRARY_TOOLS if name.startswith(prefix)), None)
            if tool is None:
                return
            if any(arg.keyword is not None and arg.keyword.value == "poppler_path" for arg in node.args):
                self.optional.add(tool)  # pdf2image told where its own poppler is
            else:
                self._use([(tool, node.func)], name)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """`sh.ffmpeg(...)`, `sh.git.clone(...)`, `cmd.git` after `from plumbum import cmd`."""
        name = self.context.qualified_name(node)
        if name is None:
            return
        parts = name.split(".")
        if (parts[0] == "sh" and len(parts) == 2) or parts[:-1] in (
            ["plumbum", "cmd"],
            ["plumbum", "local", "cmd"],
        ):
            self._use([(_sh_name(parts[-1]), node)], parts[0])

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """`plumbum.local["convert"]`."""
        if self.context.qualified_name(node.value) in _PLUMBUM_LOCAL and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index):
                self._use(self._argv_programs(index.value, whole=False), "plumbum")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        """`from sh import git` and `from plumbum.cmd import git` fail at import without git."""
        module = dotted_name(node.module) if node.module is not None else None
        if node.relative or module not in ("sh", "plumbum.cmd") or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if isinstance(alias.name, cst.Name):
                self._use([(_sh_name(alias.name.value), alias)], module.split(".")[0])

    def _probe(self, node: cst.Call, positional: list[cst.Arg]) -> None:
        found = self._argv_programs(positional[0].value, whole=False) if positional else []
        if not found:
            return
        tool = found[0][0]
        parent = self.context.parent
        # Tested, given a fallback, caught, or handed to the caller to decide (`return which(...)`).
        if self._in_condition() or self._handled() or isinstance(parent, cst.Return):
            self.optional.add(tool)
            return
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                self.probes[-1][target.value] = tool
        self._use(found[:1], "shutil.which")

    def _subprocess(self, node: cst.Call, name: str, positional: list[cst.Arg]) -> None:
        keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
        executable = keywords.get("executable")
        if executable is not None:
            self._use(self._argv_programs(executable, whole=False), name)
            return
        command = positional[0].value if positional else keywords.get("args")
        if command is None:
            return
        shell = keywords.get("shell")
        if isinstance(shell, cst.Name) and shell.value == "True":
            if isinstance(command, (cst.List, cst.Tuple)) and command.elements:
                command = command.elements[0].value
            self._use(self._shell_programs(command), name)
        else:
            self._use(self._argv_programs(command, whole=True), name)

    def _use(self, found: list[tuple[str, cst.CSTNode]], how: str) -> None:
        if not found:
            return
        handled = self._handled()
        for tool, node in found:
            if tool not in BINARIES:
                continue
            if handled:
                self.optional.add(tool)
            else:
                self.uses.append((tool, node, how))
                self.context.note_statement(node)

    # -- reading command values ------------------------------------------------------------------

    def _argv_programs(
        self, value: cst.BaseExpression, whole: bool, depth: int = 0
    ) -> list[tuple[str, cst.CSTNode]]:
        """Programs of an argv (a list: `["ffmpeg", ...]`, `["sh", "-c", "..."]`) or a program
        string; `whole` means a string is an argv of its own (`subprocess.run("ffmpeg -i x")`)."""
        if depth > 3:
            return []
        if isinstance(value, cst.Name):
            found = [self._argv_programs(v, whole, depth + 1) for v in self._values(value)]
            programs = {tuple(tool for tool, _ in item) for item in found}
            # Bound to different commands on different paths: nothing to say.
            return [(tool, value) for tool, _ in found[0]] if len(programs) == 1 and found else []
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            return self._argv_programs(value.left, whole, depth + 1)
        if isinstance(value, (cst.List, cst.Tuple)):
            elements: list[tuple[str, cst.CSTNode]] = []
            for element in value.elements:
                if isinstance(element, cst.StarredElement):
                    break
                elements.append((self._text(element.value) or _PLACEHOLDER, element.value))
            argv = [text for text, _ in elements]
            inner = script_index(argv)
            if inner is not None:
                return [(tool, elements[inner][1]) for tool in _shell_tools(argv[inner])]
            tool = _program(argv)
            if tool is None:
                return []
            return [(tool, next(node for text, node in elements if text.rpartition("/")[2] == tool))]
        if (
            isinstance(value, cst.Call)
            and self.context.qualified_name(value.func) == "shlex.split"
            and value.args
        ):
            value = value.args[0].value
        text = self._text(value)
        if text is None:
            return []
        argv = [word.text for word in words(text)] if whole else [text]
        tool = _program(argv)
        return [(tool, value)] if tool is not None else []

    def _shell_programs(self, value: cst.BaseExpression) -> list[tuple[str, cst.CSTNode]]:
        if isinstance(value, cst.Name):
            values = [self._text(v) for v in self._values(value)]
            texts = set(values)
            if len(texts) != 1 or None in texts:
                return []
            return [(tool, value) for tool in _shell_tools(values[0] or "")]
        text = self._text(value)
        return [(tool, value) for tool in _shell_tools(text)] if text is not None else []

    def _text(self, value: cst.BaseExpression, depth: int = 0) -> str | None:
        """A string's value, with f-string fields as placeholders; `.format()`, `%` and
        `" ".join([...])` read through; names bound to one string followed."""
        if depth > 3:
            return None
        text = self.context.string_value(value)
        if text is not None:
            return text
        if isinstance(value, cst.FormattedString):
            return "".join(
                part.value if isinstance(part, cst.FormattedStringText) else _PLACEHOLDER
                for part in value.parts
            )
        if isinstance(value, cst.Name):
            values = self._values(value)
            return self._text(values[0], depth + 1) if len(values) == 1 else None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            left = self._text(value.left, depth + 1)
            right = self._text(value.right, depth + 1)
            return None if left is None else left + (_PLACEHOLDER if right is None else right)
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Modulo):
            return self._text(value.left, depth + 1)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            method = value.func.attr.value
            if method == "format":
                return self._text(value.func.value, depth + 1)
            if method == "join" and value.args and isinstance(value.args[0].value, (cst.List, cst.Tuple)):
                separator = self._text(value.func.value, depth + 1)
                parts = [self._text(e.value, depth + 1) or _PLACEHOLDER for e in value.args[0].value.elements]
                return separator.join(parts) if separator is not None else None
        if self.context.qualified_name(value) == "sys.executable":
            return "python"
        return None

    def leave_Module(self, original_node: cst.Module) -> None:
        first: dict[str, tuple[cst.CSTNode, str]] = {}
        for tool, node, how in self.uses:
            if tool not in self.optional:
                first.setdefault(tool, (node, how))
        if not first:
            return
        locations = self.context.locations(node for node, _ in first.values())
        for tool, (node, how) in first.items():
            if node in locations:
                start, end = locations[node]
                self.record_fact(
                    SystemToolUse(
                        tool=tool,
                        how=how,
                        row=start.row,
                        column=start.column,
                        end_row=end.row,
                        end_column=end.column,
                    )
                )


def _sh_name(attribute: str) -> str:
    """sh and plumbum look `google_chrome` up as `google-chrome` when no such program exists."""
    return attribute if attribute in BINARIES else attribute.replace("_", "-")


def _shell_tools(text: str) -> list[str]:
    """The table's tools a shell command line runs, in order: every simple command of it,
    and the scripts of `sh -c "..."` inside."""
    found: list[str] = []
    for command in commands(text.replace(_PLACEHOLDER, "$_")):
        argv = command.argv
        inner = script_index(argv)
        tools = _shell_tools(argv[inner]) if inner is not None else [_program(argv)]
        found.extend(tool for tool in tools if tool is not None and tool not in found)
    return found


def _reraises(handler: cst.ExceptHandler) -> bool:
    """A `raise` among the handler's statements (`except OSError: raise` on one line too)."""
    if isinstance(handler.body, cst.SimpleStatementSuite):
        return any(isinstance(small, cst.Raise) for small in handler.body.body)
    return any(
        isinstance(small, cst.Raise)
        for statement in handler.body.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )
