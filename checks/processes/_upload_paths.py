"""FS0601 local-upload-storage, what its writes look like: the calls that write or copy a file, the
names of upload, path and temporary locations, uploads read from the request. The rule itself is in
`local_upload_storage.py`."""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

from factorscan.python.codemods import argument
from factorscan.python.config_values import config_value
from factorscan.python.imports import dotted_name
from factorscan.python.nodes import iter_children
from factorscan.python.traversal import FileContext


def subscript_key(node: cst.Subscript, context: FileContext) -> str | None:
    """ "UPLOAD_FOLDER" in `app.config["UPLOAD_FOLDER"]`."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return context.string_value(node.slice[0].slice.value)
    return None


FILE_SYSTEM_STORAGE = frozenset(
    {
        "django.core.files.storage.FileSystemStorage",
        "django.core.files.storage.filesystem.FileSystemStorage",
    }
)


OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "codecs.open", "aiofiles.open"})


COPY_FUNCTIONS = frozenset({"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move"})


# UPLOAD_FOLDER, MEDIA_ROOT, upload_dir, user_uploads_path...
UPLOAD_NAME = re.compile(
    r"^(\w*_)?(uploads?|media)_?(folder|dir|directory|path|root|location|base)s?$", re.IGNORECASE
)


PATH_NAME = re.compile(r"path|dir|folder|file|dest|location|upload|media", re.IGNORECASE)


TEMP_NAME = re.compile(r"^(tmp|temp)|_(tmp|temp)(_|$)", re.IGNORECASE)


TEMP_PREFIXES = ("/tmp", "/var/tmp", "/dev/shm", "/dev/")


def write_mode(mode: cst.Arg | None) -> bool:
    if mode is None:
        return False
    text = FileContext.string_value(mode.value)
    return text is not None and any(flag in text for flag in "wax+")


def uploads_in_request(node: cst.BaseExpression) -> bool:
    """`request.files[...]`, `request.FILES.get(...)`, `request.files.getlist(...)`."""
    text = dotted_name(node.func if isinstance(node, cst.Call) else node)
    if isinstance(node, cst.Subscript):
        text = dotted_name(node.value)
    if text is None and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        text = dotted_name(node.func.value)
    return text is not None and bool(re.search(r"(^|\.)request\.(files|FILES)(\.|$)", text))


def names_and_strings(node: cst.CSTNode, context: FileContext) -> Iterable[str]:
    """Identifiers and string literals in an expression (attribute names included)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, cst.BaseExpression) and (text := context.string_value(node)) is not None:
        yield text
    for child in iter_children(node):
        yield from names_and_strings(child, context)


def saves_content(call: cst.Call, context: FileContext) -> bool:
    """Django's `instance.file.save(name, content)` and `storage.save(name, content)`: the file
    goes to the storage the settings configure, which FS0601 judges there. A second argument
    that is a literal (werkzeug's buffer size, Pillow's format) is not content."""
    content = argument(call, 1, "content")
    if content is None:
        return False
    value = context.literal(content.value)
    return not isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.Integer)) and not (
        isinstance(value, cst.Name) and value.value in ("True", "False", "None")
    )


class BoundValues:
    """For a libcst visitor (FS0601's): the last value each local name was bound to, per
    function, and the nodes of an expression with those names and config objects followed."""

    context: FileContext

    def __init__(self) -> None:
        # The last value each local name was bound to, per function; followed lazily.
        self._values: dict[cst.FunctionDef | None, dict[str, cst.BaseExpression]] = {}

    def _note_binding(self, targets: Iterable[cst.BaseExpression], value: cst.BaseExpression) -> None:
        names = [target.value for target in targets if isinstance(target, cst.Name)]
        if not names:
            return
        if isinstance(value, cst.Await):
            value = value.expression
        values = self._values.setdefault(self.context.enclosing_function(), {})
        for name in names:
            values[name] = value

    def visit_Assign(self, node: cst.Assign) -> None:
        self._note_binding((target.target for target in node.targets), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._note_binding([node.target], node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self._note_binding([node.asname.name], node.item)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self._note_binding([node.target], node.iter)

    def _parts(self, node: cst.BaseExpression) -> Iterable[cst.CSTNode]:
        """Every node of an expression, following local names to the value they were bound to
        and config objects to the literal they hold."""
        values = self._values.get(self.context.enclosing_function(), {})
        followed: set[str] = set()
        pending: list[cst.CSTNode] = [node]
        while pending:
            current = pending.pop()
            yield current
            pending.extend(iter_children(current))
            if isinstance(current, (cst.Attribute, cst.Subscript, cst.Call)):
                # A config object's value (`Config.UPLOAD_DIR`, `app.config["X"]`), as a literal.
                constant = config_value(current, self.context)
                if constant is not None and isinstance(constant.value, str):
                    pending.append(cst.SimpleString(repr(constant.value)))
            if isinstance(current, cst.Name) and current.value not in followed:
                followed.add(current.value)
                value = values.get(current.value)
                if value is not None:
                    pending.append(value)
