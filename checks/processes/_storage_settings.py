"""FS0601 local-upload-storage, its project half: what a settings module says about file storage
(MEDIA_ROOT, the default storage backend), read with `ast`. The rule itself is in
`local_upload_storage.py`."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import NamedTuple

from factorscan.core.discovery import is_test_path
from factorscan.python.handlers import is_non_production_settings

_REMOTE_BACKENDS = ("storages.backends.", "cloudinary_storage.")

Span = tuple[int, int, int, int]  # 1-based row and column (code points) of the start and the end


@dataclass
class StorageSettings:
    media_root: tuple[int, int] | None = None  # 1-based row and column of `MEDIA_ROOT =`
    # The default storage written as the literal local backend (`STORAGES = {"default":
    # {"BACKEND": "...FileSystemStorage"}}`, `DEFAULT_FILE_STORAGE = "...FileSystemStorage"`).
    local_default: Span | None = None
    # A default storage other than the local disk is, or may be, configured: a remote backend,
    # one read from the environment or the operator's configuration, or one that a branch
    # assigns over the local default (`if BUCKET: STORAGES["default"] = {...S3...}`).
    other_backend: bool = False


def storage_settings(tree: ast.Module, text: str) -> StorageSettings:
    """What a settings module says about file storage, read with `ast` (cheap, no libcst)."""
    found = StorageSettings()
    lines = text.splitlines()
    module_level = {id(statement) for statement in tree.body}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "MEDIA_ROOT" and id(node) in module_level:
                found.media_root = (node.lineno, _column(lines, node.lineno, node.col_offset))
            backend = _default_backend(target, node.value)
            if backend is None:
                continue
            if _is_local_backend(backend):
                if id(node) in module_level and found.local_default is None:
                    found.local_default = _span(lines, backend)
            else:
                found.other_backend = True
    if any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(_REMOTE_BACKENDS)
        for node in ast.walk(tree)
    ):
        found.other_backend = True
    return found


_NOT_SET = ast.Constant(value=None)  # a STORAGES dict without "default": Django's local default


def _default_backend(target: ast.expr, value: ast.expr) -> ast.expr | None:
    """The backend an assignment gives the default storage, or None when it sets something else.

    `STORAGES = {...}`, `STORAGES["default"] = {...}`, `STORAGES["default"]["BACKEND"] = ...`
    and `DEFAULT_FILE_STORAGE = ...`. A value that is no dict literal (`getattr(configuration,
    "STORAGES", {})`, `env.json(...)`) stands for itself: it is not the literal local backend.
    """
    path = _subscript_path(target)
    if path in (("DEFAULT_FILE_STORAGE",), ("STORAGES", "default", "BACKEND")):
        return value
    if path == ("STORAGES",):
        if not isinstance(value, ast.Dict):
            return value
        default = _dict_get(value, "default")
        return _NOT_SET if default is None else _backend_of(default)
    if path == ("STORAGES", "default"):
        return _backend_of(value)
    return None


def _backend_of(storage: ast.expr) -> ast.expr | None:
    return _dict_get(storage, "BACKEND") if isinstance(storage, ast.Dict) else storage


def _subscript_path(node: ast.expr) -> tuple[str, ...] | None:
    """`STORAGES["default"]["BACKEND"]` -> ("STORAGES", "default", "BACKEND")."""
    keys: list[str] = []
    while isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant) or not isinstance(node.slice.value, str):
            return None
        keys.insert(0, node.slice.value)
        node = node.value
    return (node.id, *keys) if isinstance(node, ast.Name) else None


def _dict_get(node: ast.expr | None, key: str) -> ast.expr | None:
    if isinstance(node, ast.Dict):
        for name, value in zip(node.keys, node.values, strict=True):
            if isinstance(name, ast.Constant) and name.value == key:
                return value
    return None


def _is_local_backend(node: ast.expr) -> bool:
    """Django's local default: unset, or a literal FileSystemStorage. Anything else (S3, a
    variable, the environment, the operator's configuration) may be remote."""
    if node is _NOT_SET:
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.endswith("FileSystemStorage")
    )


def _column(lines: list[str], row: int, byte_offset: int) -> int:
    """ast's UTF-8 byte offset on a line as a 1-based code point column."""
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


def _span(lines: list[str], node: ast.expr) -> Span | None:
    if node is _NOT_SET or node.end_lineno is None or node.end_col_offset is None:
        return None
    return (
        node.lineno,
        _column(lines, node.lineno, node.col_offset),
        node.end_lineno,
        _column(lines, node.end_lineno, node.end_col_offset),
    )


class StorageFact(NamedTuple):
    """What one Python file tells about uploads and where they are stored."""

    uploads: bool  # FileField/ImageField or request.FILES
    other_backend: bool  # a default storage other than the local disk is or may be configured
    media_root: tuple[int, int] | None  # (row, column) of a production MEDIA_ROOT
    local_default: Span | None  # a production default storage that is the literal local backend


def storage_fact(text: str, tree: ast.Module, relative_path: str) -> StorageFact | None:
    """What one Python file tells about uploads and storage, read from its text and `ast` tree."""
    if is_test_path(relative_path):
        return None
    uploads = _UPLOAD_USE.search(text) is not None
    settings = StorageSettings()
    if "MEDIA_ROOT" in text or "STORAGE" in text or "storages" in text:
        settings = storage_settings(tree, text)
    if is_non_production_settings(relative_path):
        # Development and test settings say nothing about production storage, either way.
        settings = StorageSettings()
    if not (uploads or settings.other_backend or settings.media_root or settings.local_default):
        return None
    return StorageFact(
        uploads=uploads,
        other_backend=settings.other_backend,
        media_root=settings.media_root,
        local_default=settings.local_default,
    )


_UPLOAD_USE = re.compile(r"\b(?:FileField|ImageField)\b|request\.FILES|default_storage\.save\(")
