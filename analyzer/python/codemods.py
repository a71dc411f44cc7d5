"""Small libcst building blocks that rule fixes share.

They edit argument lists and dict displays in place, so a multi-line call
keeps its layout: a replaced element keeps its comma (and the newline and
indentation that comma carries); a dropped last element hands its comma to
the new last one.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import libcst as cst

from factorscan.deploy.deployment import PLATFORM_VARIABLES
from factorscan.python.secrets import name_words
from factorscan.python.traversal import FileContext, FixBuilder

# Named, not referenced: libcst is not used at import time (core/lazy_import.py).
_Element = TypeVar("_Element", "cst.Arg", "cst.DictElement", "cst.Element")


def dotted(name: str) -> cst.Name | cst.Attribute:
    """`sys.stdout` as an expression node."""
    head, *rest = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(head)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def string(value: str, like: cst.BaseExpression | None = None, quote: str = '"') -> cst.SimpleString:
    """A string literal, quoted like `like` when it is a plain string, else with `quote`."""
    if isinstance(like, cst.SimpleString) and like.quote in ("'", '"') and like.prefix == "":
        quote = like.quote
    if quote in value or "\\" in value or "\n" in value:
        return cst.SimpleString(repr(value))
    return cst.SimpleString(f"{quote}{value}{quote}")


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call, index: int) -> cst.Arg | None:
    """The index-th positional argument, if no *args comes before it."""
    for position, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star:
            return None
        if position == index:
            return arg
    return None


def argument(call: cst.Call, index: int, name: str) -> cst.Arg | None:
    """An argument passed either at `index` or as `name=`."""
    return keyword(call, name) or positional(call, index)


def rebuild(
    items: Sequence[_Element],
    *,
    replace: Mapping[int, _Element] | None = None,
    drop: set[int] | None = None,
    append: Sequence[_Element] = (),
) -> list[_Element]:
    """`items` with some replaced (keeping their commas), dropped, or appended."""
    replace = replace or {}
    drop = drop or set()
    result: list[_Element] = []
    for index, item in enumerate(items):
        if index in drop:
            continue
        new = replace.get(index)
        result.append(new.with_changes(comma=item.comma) if new is not None else item)
    if append:
        if result:
            # The element that was last needs a comma before what follows.
            last = result[-1]
            if isinstance(last.comma, cst.MaybeSentinel):
                result[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        result.extend(append)
    elif items and (len(items) - 1) in drop and result:
        result[-1] = result[-1].with_changes(comma=items[-1].comma)
    return result


def first_argument_only(args: Sequence[cst.Arg], value: cst.BaseExpression) -> list[cst.Arg]:
    """`args` reduced to one positional `value` in the first argument's place.

    The first argument's own comment stays beside the new value, and the
    layout before the closing parenthesis (newline and indentation) is the
    old last argument's; comments of the dropped arguments go with them.
    """
    if not args or any(arg.star for arg in args):
        return [cst.Arg(value)]
    first, last = args[0], args[-1]
    new = first.with_changes(
        value=value,
        keyword=None,
        equal=cst.MaybeSentinel.DEFAULT,
        whitespace_after_arg=last.whitespace_after_arg,
    )
    if isinstance(last.comma, cst.Comma):
        before = (
            first.comma.whitespace_before
            if isinstance(first.comma, cst.Comma)
            else last.comma.whitespace_before
        )
        after = _keep_comment(first.comma, last.comma.whitespace_after)
        return [
            new.with_changes(comma=last.comma.with_changes(whitespace_before=before, whitespace_after=after))
        ]
    if isinstance(first.comma, cst.Comma) and len(args) > 1:
        # No trailing comma: the closing layout sits after the last argument.
        return [
            new.with_changes(
                comma=cst.MaybeSentinel.DEFAULT,
                whitespace_after_arg=_keep_comment(first.comma, last.whitespace_after_arg),
            )
        ]
    return [new]


def _keep_comment(
    comma: cst.Comma | cst.MaybeSentinel, closing: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """`closing` (what ends the argument list), carrying the comment that followed `comma`."""
    if (
        isinstance(comma, cst.Comma)
        and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        and comma.whitespace_after.first_line.comment is not None
        and isinstance(closing, cst.ParenthesizedWhitespace)
    ):
        return closing.with_changes(first_line=comma.whitespace_after.first_line)
    return closing


def dict_key(element: cst.BaseDictElement) -> str | None:
    if isinstance(element, cst.DictElement):
        return FileContext.string_value(element.key)
    return None


def is_std_stream(node: cst.BaseExpression, context: FileContext) -> bool:
    """`sys.stdout` / `sys.stderr` (through any import of sys)."""
    return context.qualified_name(node) in ("sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__")


def env_lookup(
    fix: FixBuilder, variable: str, default: cst.BaseExpression | None = None
) -> cst.BaseExpression:
    """`os.environ["VAR"]`, or `os.environ.get("VAR", <default>)` when there is a default.

    The first fails loudly at start-up when the variable is missing (secrets);
    the second keeps the old literal as the default (safe fixes).
    """
    environ = dotted(f"{fix.use_module('os')}.environ")
    name = string(variable, quote=fix.context.quote)
    if default is None:
        return cst.Subscript(value=environ, slice=[cst.SubscriptElement(cst.Index(name))])
    return cst.Call(
        func=cst.Attribute(value=environ, attr=cst.Name("get")), args=[cst.Arg(name), cst.Arg(default)]
    )


def int_env_lookup(fix: FixBuilder, variable: str, default: int) -> cst.BaseExpression:
    """`int(os.environ.get("PORT", "5000"))`."""
    lookup = env_lookup(fix, variable, string(str(default), quote=fix.context.quote))
    return cst.Call(func=cst.Name("int"), args=[cst.Arg(lookup)])


def env_flag(fix: FixBuilder, variable: str, default: bool) -> cst.BaseExpression:
    """`os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes")`: a boolean from the environment.

    The old literal becomes the default, so behaviour is unchanged while the
    variable is unset.
    """
    environ = f"{fix.use_module('os')}.environ"
    q = fix.context.quote
    fallback = "true" if default else "false"
    truthy = ", ".join(f"{q}{word}{q}" for word in ("1", "true", "yes"))
    return cst.parse_expression(
        f"{environ}.get({string(variable, quote=q).value}, {q}{fallback}{q}).lower() in ({truthy})"
    )


# -- environment variable names that never collide within a file ------------------------

_EXISTING_READ = re.compile(
    r"""(?:environ(?:\.get|\.setdefault|\.pop)?|getenv|config|env(?:\.\w+)?)\s*[\[(]\s*"""
    r"""(?P<q>['"])(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P=q)"""
    r"""(?:\s*,\s*(?:default\s*=\s*)?(?P<dq>['"])(?P<default>[^'"\\\n]*)(?P=dq))?"""
)
_UNKNOWN = object()
_SETTING = object()


@dataclass
class _FileNames:
    """The variables a file reads or its fixes gave out, with the values they stand for."""

    taken: dict[str, list[object]] = field(default_factory=dict)
    by_value: dict[object, str] = field(default_factory=dict)  # distinctive values (secrets, URLs) -> name


_names: weakref.WeakKeyDictionary[FileContext, _FileNames] = weakref.WeakKeyDictionary()


def _names_in_use(context: FileContext) -> _FileNames:
    names = _names.get(context)
    if names is None:
        names = _FileNames()
        for match in _EXISTING_READ.finditer(context.source.text):
            default = match.group("default")
            names.taken.setdefault(match.group("name"), []).append(_UNKNOWN if default is None else default)
        _names[context] = names
    return names


# Class-name words that say which environment or what kind of class, not which service:
# `ProductionConfig.SECRET_KEY` and `StagingConfig.SECRET_KEY` are one setting.
_PLAIN_CLASS_WORDS = frozenset(
    {
        "config", "configuration", "configs", "settings", "setting", "conf", "base", "default", "defaults",
        "common", "shared", "app", "application", "main", "core", "options", "params", "env", "environment",
        "production", "prod", "development", "dev", "devel", "develop", "local", "test", "tests", "testing",
        "staging", "stage", "ci", "debug", "qa", "live", "docker", "heroku",
    }
)  # fmt: skip


def _class_prefix(context: FileContext) -> str:
    """`REDIS` for a setting in `class RedisConfig:`'s body; empty for environment classes."""
    enclosing = context.enclosing_class()
    if enclosing is None or context.in_function():
        return ""
    words = name_words(enclosing.name.value)
    return "_".join(word.upper() for word in words if word not in _PLAIN_CLASS_WORDS)


def shell_name(name: str, qualifier: str = "APP") -> str:
    """`name` as a valid shell variable name: letters, digits, underscores, no leading digit."""
    cleaned = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", name)).strip("_").upper()
    if not cleaned:
        return qualifier
    if cleaned[0].isdigit():
        # `2_FA_SECRET` -> `APP_2FA_SECRET`: a digit joins the word it counts.
        joined = re.sub(r"(?<=\d)_(?=[A-Z])", "", cleaned)
        return f"{qualifier}_{joined}"
    return cleaned


def env_variable_name(
    context: FileContext,
    name: str,
    value: object = None,
    *,
    setting: bool = False,
    distinctive: bool = False,
    qualifier: str = "",
) -> str:
    """The environment variable a moved value reads: a valid shell name, unique within the
    file, never one the platform sets for itself (`HOSTNAME` becomes `APP_HOSTNAME`).

    `setting`: the name is that of a setting (`SECRET_KEY`, a config key), so
    every place that sets it reads the same variable; in the body of a class
    named after a service (`RedisConfig`) it is prefixed with it
    (`REDIS_PASSWORD`), while environment classes (`ProductionConfig`) share
    the plain name. Otherwise a name already read or given to a different
    value gets a numeric suffix (`REDIS_URL_2`); the same value keeps the same
    name. `distinctive`: the value identifies one thing (a secret, a URL), so
    wherever it appears it reads the variable it got first. `qualifier`
    starts a name that would start with a digit (the dict's own name for a
    key such as "2fa secret"). `value` is only compared, never stored beyond
    the scan of this file.
    """
    names = _names_in_use(context)
    if distinctive and value is not None and value in names.by_value:
        return names.by_value[value]
    prefix = _class_prefix(context) if setting else ""
    name = shell_name(name, qualifier or prefix or "APP")
    if prefix and not (name == prefix or name.startswith(f"{prefix}_")):
        name = f"{prefix}_{name}"
    if name in PLATFORM_VARIABLES:
        name = f"APP_{name}"  # $HOSTNAME, $PWD... are the platform's, not the app's
    taken = names.taken
    if setting:
        taken.setdefault(name, []).append(_SETTING)
        chosen = name
    else:
        chosen, number = name, 1
        while True:
            users = taken.get(chosen)
            if not users:
                taken[chosen] = [value if value is not None else _UNKNOWN]
                break
            if value is not None and all(user == value for user in users):
                break
            number += 1
            chosen = f"{name}_{number}"
    if distinctive and value is not None:
        names.by_value[value] = chosen
    return chosen
