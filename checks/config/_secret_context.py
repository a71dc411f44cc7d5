"""FS0301's reading of what surrounds a literal: the name shapes its prefilter lets through,
API slots that take a password, and the stand-ins (a user name in the password's place,
field names in a config schema) that look like secrets but are not."""

from __future__ import annotations

import re
from collections import Counter

import libcst as cst

from factorscan.python.nodes import iter_children
from factorscan.python.targets import DICT, KEYWORD, POSITIONAL, Binding
from factorscan.python.traversal import FileContext

# A secret-like name counts only directly followed by `=`, `==` or `:` and a string
# literal (`PASSWORD = "`, `password="`, `"api_key": "`, `secret: SecretStr = "`):
# the only shapes the rule reports by name, so files that merely mention
# tokens (tokenizers, `test_pass_stmt`) are not parsed for it. Checked at each
# stem with an anchored match: one unanchored regex over the file costs more
# than parsing it.
SHAPE_STEMS = (
    b"pass",
    b"pwd",
    b"secret",
    b"token",
    b"credential",
    b"creds",
    b"authorization",
    b"api_key",
    b"apikey",
    b"api-key",
    b"access_key",
    b"accesskey",
    b"private_key",
    b"privatekey",
    b"signing_key",
    b"encryption_key",
    b"auth_key",
    b"client_key",
    b"app_key",
)


# After the name: a closing `"]` (`config["SECRET_KEY"] = "`), an annotation, more targets
# (`PASSWORD, USER = "`), then the operator, and a field call's `default=` (`field(default="`).
AFTER_STEM = re.compile(
    rb"[\w-]*['\"]?\]?[ \t]*(?::[ \t]*[\w\[\]., |]{1,60}?)?(?:[ \t]*,[ \t]*[\w.]{1,60}){0,8}[ \t]*"
    rb"(?:==|!=|[:=])[ \t]*(?:[\w.]{1,40}\([ \t]*default[ \t]*=[ \t]*)?[rbuf]{0,2}['\"]"
)


# Where a well-known API takes a password positionally: qualified name ->
# (argument index, variable name).
_POSITIONAL_CREDENTIALS = {
    "requests.auth.HTTPBasicAuth": (1, "HTTP_PASSWORD"),
    "requests.auth.HTTPDigestAuth": (1, "HTTP_PASSWORD"),
    "requests.auth.HTTPProxyAuth": (1, "PROXY_PASSWORD"),
    "requests.HTTPBasicAuth": (1, "HTTP_PASSWORD"),
    "httpx.BasicAuth": (1, "HTTP_PASSWORD"),
    "httpx.DigestAuth": (1, "HTTP_PASSWORD"),
    "aiohttp.BasicAuth": (1, "HTTP_PASSWORD"),
    "aiohttp.helpers.BasicAuth": (1, "HTTP_PASSWORD"),
    "pika.PlainCredentials": (1, "RABBITMQ_PASSWORD"),
    "pika.credentials.PlainCredentials": (1, "RABBITMQ_PASSWORD"),
    "jwt.encode": (1, "JWT_SECRET_KEY"),
    "jwt.decode": (1, "JWT_SECRET_KEY"),
    "itsdangerous.URLSafeTimedSerializer": (0, "SECRET_KEY"),
    "itsdangerous.URLSafeSerializer": (0, "SECRET_KEY"),
    "itsdangerous.TimedSerializer": (0, "SECRET_KEY"),
    "itsdangerous.Serializer": (0, "SECRET_KEY"),
    "itsdangerous.TimestampSigner": (0, "SECRET_KEY"),
    "itsdangerous.Signer": (0, "SECRET_KEY"),
}


# Keywords that take a (user, password) pair.
_AUTH_PAIR_KEYWORDS = frozenset({"auth", "basic_auth", "http_auth", "proxy_auth"})


# A field name: letters and underscores, camelCase allowed, no digits (`api_url`, `jsonKeyFile`).
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")


def _dict_keys(node: cst.Dict, context: FileContext) -> list[str]:
    """Every string key of a dict display and of the dict displays inside it."""
    keys: list[str] = []
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.DictElement):
            key = context.string_value(current.key)
            if key is not None:
                keys.append(key)
        if isinstance(current, (cst.Dict, cst.DictElement, cst.List, cst.Tuple, cst.Element)):
            pending.extend(iter_children(current))
    return keys


class StandIns:
    """Stand-ins around a secret-looking literal, with what was read of each container."""

    def __init__(self) -> None:
        self._around: dict[tuple[int, str], Counter[str | None]] = {}

    def holds(self, context: FileContext, value: str, target: Binding) -> bool:
        """A user name in the password's place, or a field name: asked last, as both look
        around the literal; what they read of a container is kept per container node."""
        return self._echoes_user(context, value, target) or self._field_name(context, value, target)

    def _strings_of(self, context: FileContext, container: cst.CSTNode, kind: str) -> Counter[str | None]:
        """The string values (`kind` "values") or keys ("keys") a call or dict display holds."""
        key = (id(container), kind)
        found = self._around.get(key)
        if found is None:
            if kind == "keys":
                assert isinstance(container, cst.Dict)
                found = Counter[str | None](_dict_keys(container, context))
            elif isinstance(container, cst.Call):
                found = Counter(context.string_value(arg.value) for arg in container.args)
            else:
                assert isinstance(container, cst.Dict)
                elements = [e for e in container.elements if isinstance(e, cst.DictElement)]
                found = Counter(context.string_value(e.value) for e in elements)
            self._around[key] = found
        return found

    def _echoes_user(self, context: FileContext, value: str, target: Binding) -> bool:
        """`create_user("admin", password="admin")`, `{"USER": "shop", "PASSWORD": "shop"}`: a
        password equal to another value of its call or dict is the user name, as seed data and
        fixture users have it."""
        if target.call is not None:
            container: cst.CSTNode = target.call
        elif target.kind == DICT and isinstance(context.stack[-3], cst.Dict):
            container = context.stack[-3]
        else:
            return False
        return self._strings_of(context, container, "values")[value] > 1  # the password itself is one

    def _field_name(self, context: FileContext, value: str, target: Binding) -> bool:
        """`"secret": ["password", "api_url"]` in a config schema: names of the fields that hold
        secrets. A list of bare names, or a name that is a key of the same dict display."""
        if not _FIELD_NAME.match(value):
            return False
        stack = context.stack
        if target.in_sequence and isinstance(stack[-3], (cst.List, cst.Tuple, cst.Set)):
            return all(
                _FIELD_NAME.match(context.string_value(element.value) or "") for element in stack[-3].elements
            )
        holder = next((a for a in reversed(stack[:-1]) if isinstance(a, cst.Dict)), None)
        return holder is not None and value in self._strings_of(context, holder, "keys")


def credential_slot(context: FileContext, target: Binding) -> str | None:
    """The variable for a password passed where an API takes one positionally."""
    if target.kind == POSITIONAL and target.call is not None and target.position is not None:
        qualified = context.qualified_name(target.call.func)
        known = _POSITIONAL_CREDENTIALS.get(qualified or "")
        if known is not None and known[0] == target.position and not target.in_sequence:
            return known[1]
        func = target.call.func
        if (
            qualified is None
            and isinstance(func, cst.Attribute)
            and func.attr.value == "login"
            and target.position == 1
            and len(target.call.args) == 2
        ):
            return "LOGIN_PASSWORD"
    if target.kind == KEYWORD and target.in_sequence and target.name in _AUTH_PAIR_KEYWORDS:
        sequence = context.stack[-3]
        if (
            isinstance(sequence, cst.Tuple)
            and len(sequence.elements) == 2
            and sequence.elements[1].value is context.stack[-1]
        ):
            return "HTTP_PASSWORD"
    return None
