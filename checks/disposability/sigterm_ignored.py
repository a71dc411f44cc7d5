"""FS0902 sigterm-ignored: SIGTERM is ignored or handled by a handler that does nothing."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from factorscan.checks.base import Invalid, Severity, SourceRule, Valid
from factorscan.checks.disposability._shared import SIGTERM_NAMES

_IGNORE_HANDLERS = frozenset({"signal.SIG_IGN", "signal.Handlers.SIG_IGN"})


_LOGGING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"}
)


def _does_nothing(body: Iterable[cst.BaseStatement | cst.BaseSmallStatement]) -> bool:
    """Only `pass`, `...`, docstrings and logging/print calls."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            if not _does_nothing(statement.body):
                return False
        elif isinstance(statement, cst.Pass):
            continue
        elif isinstance(statement, cst.Expr):
            value = statement.value
            if isinstance(value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(value, cst.Call):
                func = value.func
                name = (
                    func.attr.value
                    if isinstance(func, cst.Attribute)
                    else func.value
                    if isinstance(func, cst.Name)
                    else ""
                )
                if name in _LOGGING_METHODS:
                    continue
            return False
        else:
            return False
    return True


class SigtermIgnored(SourceRule):
    """
    ## What it does
    Finds SIGTERM set to `signal.SIG_IGN`, or to a handler whose body does
    nothing: `pass`, `...`, a docstring, or only logging and `print` calls
    (a function defined in the same module, or a lambda), through
    `signal.signal` or `loop.add_signal_handler`.

    ## Why is this bad?
    Factor IX: SIGTERM is how the platform asks a process to stop. A process
    that swallows it keeps running until the grace period ends and it is
    killed with SIGKILL, in the middle of whatever it was doing, and every
    deploy waits out the whole grace period.

    ## Example
    ```python
    import signal

    def on_term(signum, frame):
        logger.info("SIGTERM received")

    signal.signal(signal.SIGTERM, on_term)
    ```

    Use instead: stop the work loop (set a flag it checks, or raise
    `SystemExit`) in the handler.

    ## Fix
    None.
    """

    code = "FS0902"
    name = "sigterm-ignored"
    severity = Severity.WARNING
    summary = "SIGTERM is ignored or handled by a handler that does nothing"
    triggers = (b"SIGTERM",)

    VALID = (
        Valid(
            """
            import signal
            import sys

            running = True

            def stop(signum, frame):
                global running
                running = False

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
            """,
        ),
    )
    INVALID = (
        Invalid(
            """
            import signal

            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            """,
        ),
        Invalid(
            """
            import logging
            from signal import SIGTERM, signal

            log = logging.getLogger(__name__)

            def on_term(signum, frame):
                \"\"\"Shut down.\"\"\"
                log.info("got SIGTERM")

            signal(SIGTERM, on_term)
            """,
            line=10,
        ),
        Invalid(
            """
            import asyncio
            import signal

            async def main():
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: None)
            """,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        installer = self.context.qualified_name(func) == "signal.signal" or (
            isinstance(func, cst.Attribute) and func.attr.value == "add_signal_handler"
        )
        if not installer or len(node.args) < 2:
            return
        signal_arg, handler = node.args[0].value, node.args[1].value
        if self.context.qualified_name(signal_arg) not in SIGTERM_NAMES and not (
            isinstance(signal_arg, cst.Integer) and signal_arg.value == "15"
        ):
            return
        if self.context.qualified_name(handler) in _IGNORE_HANDLERS:
            self.report(node, "SIGTERM is ignored: the process cannot be stopped gracefully")
        elif isinstance(handler, cst.Lambda) and _is_noop_expression(handler.body):
            self.report(node, "The SIGTERM handler does nothing, so the process ignores SIGTERM")
        elif isinstance(handler, cst.Name):
            function = self._module_function(handler.value)
            if (
                function is not None
                and isinstance(function.body, cst.IndentedBlock)
                and _does_nothing(function.body.body)
            ):
                self.report(
                    node,
                    f"The SIGTERM handler `{handler.value}` does nothing, so the process ignores SIGTERM",
                )

    def _module_function(self, name: str) -> cst.FunctionDef | None:
        for statement in self.context.module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return statement
        return None


def _is_noop_expression(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.Ellipsis, cst.Integer, cst.SimpleString)):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("None", "True", "False")
    if isinstance(value, cst.Call):
        return _does_nothing([cst.Expr(value)])
    return False
