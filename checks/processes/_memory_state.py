"""What FS0602 knows about keeping state in process memory: which module-level containers
exist and are mutated, which names mark a cache or a connection (exempt) or per-user state,
and when a cache is read as data."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

import libcst as cst

from factorscan.python.nodes import iter_children


def base_name(node: cst.BaseExpression) -> cst.Name | None:
    """`_carts` in `_carts`, `_carts[user]`, `_carts[user]["items"]`."""
    while isinstance(node, cst.Subscript):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def is_connection(value: cst.BaseExpression) -> bool:
    """A variable named like a connection (`websocket`, `ws`, `conn`): not per-user data."""
    return isinstance(value, cst.Name) and bool(EXEMPT_NAME.search(value.value))


def tracks_connection(node: cst.Call) -> bool:
    """`rooms[room].add(websocket)`: the stored value is a connection."""
    return any(is_connection(arg.value) for arg in node.args)


def is_lazy_initialisation(value: cst.BaseExpression) -> bool:
    """`client = make_client()`: a singleton built on first use, not per-user state."""
    if isinstance(value, cst.Await):
        value = value.expression
    return isinstance(value, cst.Call)


def memoises(target: cst.CSTNode, name: str, ancestors: Iterable[cst.CSTNode]) -> bool:
    """`_built[key] = ...` under `if key not in _built:`: a cache filled once per key."""
    if not isinstance(target, cst.Subscript):
        return False
    for ancestor in ancestors:
        test = ancestor.test if isinstance(ancestor, cst.If) else None
        if (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.NotIn)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == name
        ):
            return True
    return False


def bound_names(function: cst.FunctionDef) -> set[str]:
    """Names a function binds itself (parameters, assignments, loop targets, `as` names),
    which shadow a module-level container of the same name (before `global` says otherwise)."""
    names: set[str] = set()
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        names.add(param.name.value)
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        current = pending.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        targets: list[cst.BaseExpression] = []
        if isinstance(current, cst.Assign):
            targets = [target.target for target in current.targets]
        elif isinstance(current, (cst.AnnAssign, cst.AugAssign, cst.For)):
            targets = [current.target]
        elif isinstance(current, cst.AsName):
            targets = [current.name]
        names.update(target.value for target in targets if isinstance(target, cst.Name))
        pending.extend(iter_children(current))
    return names


CONTAINER_CALLS = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
        "collections.ChainMap",
        "weakref.WeakValueDictionary",
        "weakref.WeakKeyDictionary",
        "weakref.WeakSet",
        "queue.Queue",
    }
)


CONTAINER_PREFIXES = ("cachetools.",)


MUTATORS = frozenset(
    {
        "append",
        "appendleft",
        "extend",
        "extendleft",
        "insert",
        "add",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "discard",
        "clear",
        "move_to_end",
        "subtract",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "put",
        "put_nowait",
        "__setitem__",
        "__delitem__",
    }
)


# `NAME = {`, `NAME: dict[str, int] = {}`, `NAME = defaultdict(list)` at the start of a line.
MODULE_CONTAINER = re.compile(
    rb"(?m)^(?!__)([A-Za-z_]\w*)(?:[ \t]*:[^=\n]*)?[ \t]*=[ \t]*"
    rb"(?:[\[{]|(?:\w+\.)?(?:set|dict|list|defaultdict|OrderedDict|Counter|deque|ChainMap|Weak\w+|\w*Cache|Queue)\()"
)


MUTATION = (
    rb"(?:\[[^\]\n]*\])*\.(?:append|appendleft|extend|extendleft|insert|add|update|setdefault|pop|popitem|popleft"
    rb"|remove|discard|clear|move_to_end|subtract|\w+_update|put|put_nowait)\("
    rb"|(?:\[[^\]\n]*\])+[ \t]*[-+*/|&^]?=(?!=)"
)


def mutates_a_module_container(data: bytes) -> bool:
    """An indented `NAME[...] = `, `NAME.append(`, `del NAME[` for a module-level container NAME."""
    for match in MODULE_CONTAINER.finditer(data):
        name = re.escape(match.group(1))
        # Searched from the name (a literal: fast), then the line is checked for indentation.
        mutation = re.compile(rb"(?<![\w.])" + name + rb"(?:" + MUTATION + rb")")
        deletion = re.compile(rb"(?<![\w.])del[ \t]+" + name + rb"\[")
        for found in (*mutation.finditer(data), *deletion.finditer(data)):
            line = data[data.rfind(b"\n", 0, found.start()) + 1 : found.start()]
            if line[:1] in (b" ", b"\t") and (found.re is mutation or not line.strip()):
                return True
    return False


def read_as_data(tree: ast.Module, name: str) -> bool:
    """`name` returned whole, or through list()/sorted()/.values()..., or counted by len()
    anywhere but in a comparison (`if len(cache) > 1000:` bounds a cache)."""
    bounds = {
        id(call)
        for compare in ast.walk(tree)
        if isinstance(compare, ast.Compare)
        for call in ast.walk(compare)
        if isinstance(call, ast.Call)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None and whole(node.value, name):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "len"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
            and id(node) not in bounds
        ):
            return True
    return False


def whole(value: ast.expr, name: str) -> bool:
    """`name`, `name.values()`, `list(name)`, `{"items": name}`, `[x for x in name]`..."""
    if isinstance(value, ast.Name):
        return value.id == name
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Attribute) and value.func.attr in ("values", "items", "keys", "copy"):
            return whole(value.func.value, name)
        return any(whole(argument, name) for argument in value.args)
    if isinstance(value, ast.Dict):
        return any(whole(item, name) for item in value.values if item is not None)
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return any(whole(item, name) for item in value.elts)
    if isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return any(whole(generator.iter, name) for generator in value.generators)
    return False


# Module-level containers named for per-user state, and the bytes that may bind one.
USER_STATE_NAME = re.compile(
    r"(^|_)(sessions?|carts?|baskets?|presence|online|tokens?|users?|visitors?|logins?|signed_in|logged_in)(_|$)",
    re.IGNORECASE,
)
USER_STORE_BYTES = re.compile(
    rb"^_*\w*(session|cart|basket|presence|online|token|user|visitor|login)\w*\s*(:[^=\n]*)?=\s*"
    rb"(\{|\[|set\(|dict\(|[\w.]*(defaultdict|OrderedDict|deque|Counter)\()",
    re.MULTILINE | re.IGNORECASE,
)
NAMED_STATE = "named for per-user state"


# A cache falls back on a miss (Factor VI allows it) unless it is read as data; connections
# belong to their process.
CACHE_NAME = re.compile(r"cache|memo|lru", re.IGNORECASE)
EXEMPT_NAME = re.compile(
    r"cache|memo|lru|conn|client|socket|(^|_)ws(_|$)|peer|subscriber|listener|waiter|watcher|connected",
    re.IGNORECASE,
)
