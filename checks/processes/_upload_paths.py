"""FS0601 local-upload-storage, what its writes look like: the calls that write or copy a file, the
names of upload, path and temporary locations, uploads read from the request. The rule itself is in
`local_upload_storage.py`."""

from __future__ import annotations

import re

import libcst as cst

from factorscan.python.imports import dotted_name
from factorscan.python.traversal import FileContext


def subscript_key(node: cst.Subscript, context: FileContext) -> str | None:
    """ "UPLOAD_FOLDER" in `app.config["UPLOAD_FOLDER"]`."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return context.string_value(node.slice[0].slice.value)
    return None


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
