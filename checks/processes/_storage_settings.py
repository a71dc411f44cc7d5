"""FS0601 local-upload-storage, its project half: what a settings module says about file storage
(MEDIA_ROOT, a remote storage backend), read with `ast`. The rule itself is in `local_upload_storage.py`."""

from __future__ import annotations

import ast
from dataclasses import dataclass

_REMOTE_BACKENDS = ("storages.backends.", "cloudinary_storage.")


@dataclass
class StorageSettings:
    media_root: tuple[int, int] | None = None  # 1-based row and column of `MEDIA_ROOT =`
    remote: bool = False  # a storage backend other than the local file system is configured


def storage_settings(tree: ast.Module) -> StorageSettings:
    """What a settings module says about file storage, read with `ast` (cheap, no libcst)."""
    found = StorageSettings()
    for statement in tree.body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        if "MEDIA_ROOT" in names:
            found.media_root = (statement.lineno, statement.col_offset + 1)
        if "DEFAULT_FILE_STORAGE" in names and not _is_local_backend(statement.value):
            found.remote = True
        if "STORAGES" in names:
            backend = _dict_get(_dict_get(statement.value, "default"), "BACKEND")
            if backend is not None and not _is_local_backend(backend):
                found.remote = True
    if any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(_REMOTE_BACKENDS)
        for node in ast.walk(tree)
    ):
        found.remote = True
    return found


def _dict_get(node: ast.expr | None, key: str) -> ast.expr | None:
    if isinstance(node, ast.Dict):
        for name, value in zip(node.keys, node.values, strict=True):
            if isinstance(name, ast.Constant) and name.value == key:
                return value
    return None


def _is_local_backend(node: ast.expr) -> bool:
    """A literal FileSystemStorage; anything else (S3, a variable, the environment) may be remote."""
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.endswith("FileSystemStorage")
    )
