"""Whether a module may switch a web framework's debugger on, by any route.

A fix that widens a loopback bind must know this: Werkzeug's debugger runs
arbitrary code for whoever reaches it. Anything but a literal off value
(`False`, `None`, `0`, `""`) counts as possibly on, including values from
the environment or from another module, and `**options` we cannot see.
"""

from __future__ import annotations

import ast

_DEBUG_KEYS = frozenset({"debug", "DEBUG", "FLASK_DEBUG", "use_debugger", "use_evalex"})

# Calls whose debug= is not a web debugger.
_OTHER_RUNNERS = ("asyncio.", "trio.", "anyio.", "unittest.", "subprocess.", "uvloop.")

# Where a server call takes the debug switch by position (0-based).
_DEBUG_POSITIONS = {"run": 2, "run_simple": 4}

_CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})


def _off(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, None, 0, "")


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _switches_in_call(call: ast.Call) -> bool:
    name = _dotted(call.func)
    if name.startswith(_OTHER_RUNNERS):
        return False
    method = name.rsplit(".", 1)[-1]
    for keyword in call.keywords:
        if keyword.arg is None:
            if method in _DEBUG_POSITIONS or method in _CONFIG_METHODS:
                if not isinstance(keyword.value, ast.Dict):
                    return True  # `**options`: may hold debug=True
                if _dict_switches(keyword.value):
                    return True
        elif keyword.arg in _DEBUG_KEYS and not _off(keyword.value):
            return True
    position = _DEBUG_POSITIONS.get(method)
    if position is not None and any(isinstance(arg, ast.Starred) for arg in call.args):
        return True  # `*args`: the switch may be among them
    if position is not None and len(call.args) > position and not _off(call.args[position]):
        return True
    if method in _CONFIG_METHODS and call.args and isinstance(call.args[0], ast.Dict):
        return _dict_switches(call.args[0])
    return False


def _dict_switches(node: ast.Dict) -> bool:
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            return True  # `**other` inside the dict
        if isinstance(key, ast.Constant) and key.value in _DEBUG_KEYS and not _off(value):
            return True
    return False


def _target_switches(target: ast.expr) -> bool:
    if isinstance(target, ast.Attribute):
        return target.attr == "debug"
    if isinstance(target, ast.Subscript):
        key = target.slice
        return isinstance(key, ast.Constant) and key.value in _DEBUG_KEYS
    if isinstance(target, ast.Name):
        return target.id in ("DEBUG", "FLASK_DEBUG")
    return False


def debugger_may_be_on(tree: ast.Module | None) -> bool:
    """True when some statement of the module may turn a debugger on (unknown: True)."""
    if tree is None:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _switches_in_call(node):
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and not _off(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_target_switches(target) for target in targets):
                return True
    return False
