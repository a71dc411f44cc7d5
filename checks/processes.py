"""Factor VI, Processes: execute the app as one or more stateless processes.

FS0601 local-upload-storage, FS0602 in-memory-session-store, FS0603 sqlite-app-database.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import libcst as cst

from factorscan.checks.base import (
    Invalid,
    ProjectRule,
    Severity,
    SourceRule,
    Valid,
)
from factorscan.core.discovery import is_sample_path, is_test_path
from factorscan.core.findings import Finding, Location
from factorscan.python.codemods import argument, positional
from factorscan.python.handlers import (
    Handler,
    is_admin_script_path,
    is_non_production_settings,
    may_define_handlers,
)
from factorscan.python.imports import dotted_name
from factorscan.python.inference import (
    config_assignments,
    guarded_by_configuration,
    is_env_default,
    reads_environment,
    resolve_constant,
)
from factorscan.python.nodes import iter_children
from factorscan.python.traversal import FileContext
from factorscan.scan.project import ProjectModel

# Config classes for local development and tests (`class DevelopmentConfig(Config)`).
_NON_PRODUCTION_CLASS = re.compile(
    r"^(Dev|Development|Local|Test|Testing|CI)[A-Z_]|(Dev|Test|Testing)Config$"
)


def _non_production(context: FileContext) -> bool:
    """Development/test settings modules and Dev/Test config classes (tests are never parsed)."""
    if is_non_production_settings(context.relative_path):
        return True
    scope = context.enclosing_class()
    return scope is not None and bool(_NON_PRODUCTION_CLASS.search(scope.name.value))


def _request_handler(context: FileContext) -> Handler | None:
    handler = context.enclosing_handler()
    return handler if handler is not None and handler.is_request else None


def _base_name(node: cst.BaseExpression) -> cst.Name | None:
    """`_carts` in `_carts`, `_carts[user]`, `_carts[user]["items"]`."""
    while isinstance(node, cst.Subscript):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _is_connection(value: cst.BaseExpression) -> bool:
    """A variable named like a connection (`websocket`, `ws`, `conn`): not per-user data."""
    return isinstance(value, cst.Name) and bool(_EXEMPT_NAME.search(value.value))


def _names_and_strings(node: cst.CSTNode, context: FileContext) -> Iterable[str]:
    """Identifiers and string literals in an expression (attribute names included)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, cst.BaseExpression) and (text := context.string_value(node)) is not None:
        yield text
    for child in iter_children(node):
        yield from _names_and_strings(child, context)


def _subscript_key(node: cst.Subscript, context: FileContext) -> str | None:
    """ "UPLOAD_FOLDER" in `app.config["UPLOAD_FOLDER"]`."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return context.string_value(node.slice[0].slice.value)
    return None


# -- FS0601 ------------------------------------------------------------------------------

_OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "codecs.open", "aiofiles.open"})
_COPY_FUNCTIONS = frozenset({"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move"})
_FILE_SYSTEM_STORAGE = frozenset(
    {
        "django.core.files.storage.FileSystemStorage",
        "django.core.files.storage.filesystem.FileSystemStorage",
    }
)
# UPLOAD_FOLDER, MEDIA_ROOT, upload_dir, user_uploads_path...
_UPLOAD_NAME = re.compile(
    r"^(\w*_)?(uploads?|media)_?(folder|dir|directory|path|root|location|base)s?$", re.IGNORECASE
)
_PATH_NAME = re.compile(r"path|dir|folder|file|dest|location|upload|media", re.IGNORECASE)
_TEMP_NAME = re.compile(r"^(tmp|temp)|_(tmp|temp)(_|$)", re.IGNORECASE)
_TEMP_PREFIXES = ("/tmp", "/var/tmp", "/dev/shm", "/dev/")


def _write_mode(mode: cst.Arg | None) -> bool:
    if mode is None:
        return False
    text = FileContext.string_value(mode.value)
    return text is not None and any(flag in text for flag in "wax+")


def _uploads_in_request(node: cst.BaseExpression) -> bool:
    """`request.files[...]`, `request.FILES.get(...)`, `request.files.getlist(...)`."""
    text = dotted_name(node.func if isinstance(node, cst.Call) else node)
    if isinstance(node, cst.Subscript):
        text = dotted_name(node.value)
    if text is None and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        text = dotted_name(node.func.value)
    return text is not None and bool(re.search(r"(^|\.)request\.(files|FILES)(\.|$)", text))


class LocalUploadStorage(SourceRule, ProjectRule):
    """
    ## What it does
    Finds durable writes to the local disk from request handlers (Flask,
    FastAPI, Django, aiohttp and the other frameworks the handler detector
    knows): werkzeug `FileStorage.save(...)`, `open(path, "wb")` (and `"w"`,
    `"a"`, `"x"`, `+`), `aiofiles.open`, `Path.write_bytes/write_text`,
    `shutil.copy/move` into a local path, and Django's `request.FILES` chunks
    written to a file. Outside handlers, it finds the same writes into
    `UPLOAD_FOLDER` / `MEDIA_ROOT`-style locations, Django `FileSystemStorage`
    set up explicitly, and, for a whole Django project, `MEDIA_ROOT` used by
    `FileField`/`ImageField` or `request.FILES` with no remote storage backend
    (`STORAGES` / `DEFAULT_FILE_STORAGE`) configured anywhere.

    Files under `tempfile` locations (or `/tmp`), in-memory buffers
    (`io.BytesIO`) and log files (FS1102's concern) are not reported: the
    handler that writes a temporary file reads it back and discards it.

    ## Why is this bad?
    Factor VI: processes are stateless and share nothing; anything that must
    persist lives in a backing service. A file saved on one container's disk
    is invisible to the other processes behind the load balancer and is lost
    when the container is replaced, on every deploy.

    ## Example
    ```python
    @app.route("/avatar", methods=["POST"])
    def upload_avatar():
        avatar = request.files["avatar"]
        avatar.save(os.path.join(app.config["UPLOAD_FOLDER"], avatar.filename))
        return {"ok": True}
    ```

    Use instead:
    ```python
    @app.route("/avatar", methods=["POST"])
    def upload_avatar():
        avatar = request.files["avatar"]
        s3.upload_fileobj(avatar.stream, os.environ["AVATAR_BUCKET"], avatar.filename)
        return {"ok": True}
    ```

    ## Fix
    None: move uploads to object storage (S3, GCS, Azure Blob; in Django,
    django-storages as the `default` storage).
    """

    code = "FS0601"
    name = "local-upload-storage"
    severity = Severity.WARNING
    summary = "Files are stored on the process's local disk"
    test_files = "not checked"
    # Storage settings and upload locations anywhere; file writes only where handlers can be.
    # Settings that configure storage (MEDIA_ROOT also names the example of the project half).
    triggers = (b"FileSystemStorage", b"MEDIA_ROOT")
    # Upload locations a helper outside any handler may write to.
    _upload_places = (
        b"UPLOAD",
        b"upload_folder",
        b"upload_dir",
        b"uploads/",
        b"media/",
        b"MEDIA_ROOT",
        b"media_root",
    )
    # open() with a write-mode literal ("wb", 'a', "w+"...), or a pathlib/shutil write.
    _write_mode = re.compile(rb"""['"](?:[wax]|r\+)[bt+]*['"]""")
    _writes = (b"write_bytes", b"write_text", b"shutil.copy", b"shutil.move")
    # `.save(` is everywhere in Django code (models, forms); it writes files only near uploads.
    _upload_words = (b"files", b"FILES", b"UploadFile", b"upload", b"Image")

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        if super().triggered_by(data):
            return True
        writes = (
            (b"open(" in data and cls._write_mode.search(data) is not None)
            or any(write in data for write in cls._writes)
            or (b".save(" in data and any(word in data for word in cls._upload_words))
        )
        return writes and (may_define_handlers(data) or any(place in data for place in cls._upload_places))

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            """
            import io
            import tempfile

            from flask import Flask, request, send_file

            app = Flask(__name__)

            @app.post("/thumbnail")
            def thumbnail():
                with tempfile.NamedTemporaryFile(suffix=".png") as scratch:
                    request.files["image"].save(scratch.name)
                    data = render_thumbnail(scratch.name)
                buffer = io.BytesIO(data)
                return send_file(buffer, mimetype="image/png")
            """,
            note="a temporary file read back and discarded, and an in-memory buffer",
        ),
        Valid(
            """
            import boto3
            from fastapi import FastAPI, UploadFile

            app = FastAPI()
            s3 = boto3.client("s3")

            @app.post("/files")
            async def upload(file: UploadFile):
                s3.upload_fileobj(file.file, "bucket", file.filename)
                return {"name": file.filename}
            """,
        ),
        Valid(
            """
            def export_report(rows, path):
                with open(path, "w") as handle:
                    handle.writelines(rows)
            """,
            note="not a request handler, not an upload location",
        ),
        Valid(
            """
            from django.shortcuts import render

            def edit_profile(request):
                form = ProfileForm(request.POST)
                if form.is_valid():
                    profile = form.save(commit=False)
                    profile.save()
                return render(request, "profile.html", {"form": form})
            """,
            filename="accounts/views.py",
            note="Django model and form .save() are not file writes",
        ),
        Valid(
            """
            MEDIA_ROOT = BASE_DIR / "media"
            STORAGES = {
                "default": {"BACKEND": "storages.backends.s3.S3Storage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            """,
            filename="shop/settings.py",
            files={
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Product(models.Model):\n"
                    "    photo = models.ImageField(upload_to='products')\n"
                ),
            },
            note="uploads go to S3",
        ),
    )
    INVALID = (
        Invalid(
            """
            import os

            from flask import Blueprint, request

            bp = Blueprint("shop", __name__)
            UPLOAD_FOLDER = "/srv/uploads"

            @bp.route("/avatar", methods=["POST"])
            def upload_avatar():
                avatar = request.files["avatar"]
                avatar.save(os.path.join(UPLOAD_FOLDER, avatar.filename))
                return {"ok": True}
            """,
            line=11,
        ),
        Invalid(
            """
            from fastapi import APIRouter, UploadFile

            router = APIRouter()

            @router.post("/documents")
            async def upload(document: UploadFile):
                with open(f"documents/{document.filename}", "wb") as out:
                    out.write(await document.read())
            """,
        ),
        Invalid(
            """
            from django.conf import settings
            from django.http import JsonResponse

            def upload(request):
                incoming = request.FILES["file"]
                with open(settings.MEDIA_ROOT / incoming.name, "wb+") as destination:
                    for chunk in incoming.chunks():
                        destination.write(chunk)
                return JsonResponse({"ok": True})
            """,
            filename="documents/views.py",
            note="Django request.FILES chunks written to disk",
        ),
        Invalid(
            """
            import aiofiles
            from aiohttp import web

            routes = web.RouteTableDef()

            @routes.post("/upload")
            async def store(request):
                data = await request.read()
                async with aiofiles.open("data/latest.bin", "wb") as out:
                    await out.write(data)
                return web.Response(text="ok")
            """,
        ),
        Invalid(
            """
            from pathlib import Path

            from flask import current_app

            def save_upload(upload):
                target = Path(current_app.config["UPLOAD_FOLDER"]) / upload.filename
                upload.save(target)
            """,
            note="a helper writing into the upload folder, outside any handler",
        ),
        Invalid(
            """
            from django.core.files.storage import FileSystemStorage

            def handle(request):
                storage = FileSystemStorage(location="/srv/media")
                name = storage.save(request.FILES["doc"].name, request.FILES["doc"])
                return name
            """,
            filename="docs/views.py",
        ),
        Invalid(
            """
            import os

            BASE_DIR = os.path.dirname(os.path.dirname(__file__))
            MEDIA_ROOT = os.path.join(BASE_DIR, "media")
            MEDIA_URL = "/media/"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
            """,
            filename="shop/settings.py",
            files={
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Product(models.Model):\n"
                    "    photo = models.ImageField(upload_to='products')\n"
                ),
            },
            line=4,
            note="a Django project storing ImageField uploads under MEDIA_ROOT, no remote storage",
        ),
    )

    def __init__(self, context: FileContext | None = None) -> None:
        super().__init__(context)
        self._upload_parameters: set[str] = set()  # FastAPI `file: UploadFile`
        # The last value each local name was bound to, per function; followed lazily.
        self._values: dict[cst.FunctionDef | None, dict[str, cst.BaseExpression]] = {}

    # -- names bound in the current function --------------------------------------------

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
        for key, value in config_assignments(node, self.context):
            self._setting(key, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._note_binding([node.target], node.value)
            for key, value in config_assignments(node, self.context):
                self._setting(key, value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self._note_binding([node.asname.name], node.item)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self._note_binding([node.target], node.iter)

    def visit_Param(self, node: cst.Param) -> None:
        annotation = node.annotation
        if annotation is not None and "UploadFile" in (dotted_name(annotation.annotation) or ""):
            self._upload_parameters.add(node.name.value)

    # -- what is temporary -----------------------------------------------------------------

    def _is_temp(self, node: cst.BaseExpression) -> bool:
        """Built from `tempfile`, a /tmp path, or a name the function bound to one."""
        for current in self._parts(node):
            if isinstance(current, cst.Call):
                qualified = self.context.qualified_name(current.func) or ""
                if qualified.startswith("tempfile."):
                    return True
            elif isinstance(current, cst.Name):
                if _TEMP_NAME.search(current.value):
                    return True
            elif isinstance(current, cst.Attribute) and _TEMP_NAME.search(current.attr.value):
                return True
            text = self.context.string_value(current) if isinstance(current, cst.BaseExpression) else None
            if text is not None and text.startswith(_TEMP_PREFIXES):
                return True
        return False

    def _parts(self, node: cst.BaseExpression) -> Iterable[cst.CSTNode]:
        """Every node of an expression, following local names to the value they were bound to."""
        values = self._values.get(self.context.enclosing_function(), {})
        followed: set[str] = set()
        pending: list[cst.CSTNode] = [node]
        while pending:
            current = pending.pop()
            yield current
            pending.extend(iter_children(current))
            if isinstance(current, cst.Name) and current.value not in followed:
                followed.add(current.value)
                value = values.get(current.value)
                if value is not None:
                    pending.append(value)

    # -- writes ----------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        qualified = context.qualified_name(node.func)
        for key, value in config_assignments(node, context):
            self._setting(key, value)
        if qualified in _FILE_SYSTEM_STORAGE:
            # Static files are build output collected per release, not uploads.
            static = "static" in context.relative_path or any(
                "static" in name.lower()
                for arg in node.args
                for name in _names_and_strings(arg.value, context)
            )
            if not static and not _non_production(context):
                self.report(
                    node,
                    "FileSystemStorage keeps files on the local disk of one process; "
                    "use object storage (django-storages)",
                )
            return
        target = self._written_path(node, qualified)
        if target is None:
            return
        path, what = target
        if self._is_temp(path) or self._is_log_or_device(path):
            return
        handler = _request_handler(context)
        location = self._upload_location(path)
        if handler is not None:
            where = f" under {location}" if location else ""
            self.report(
                node,
                f"Request handler `{handler.name}` {what}{where} on the local disk; "
                "the file is lost with the container and invisible to other processes",
            )
        elif location and not _non_production(context):
            self.report(
                node,
                f"This code {what} under {location} on the local disk, where uploads are lost with the "
                "container and invisible to other processes; use object storage",
            )

    def _written_path(self, node: cst.Call, qualified: str | None) -> tuple[cst.BaseExpression, str] | None:
        """The path a call writes to, and how to say it, or None for anything else."""
        if qualified in _OPEN_FUNCTIONS:
            path = argument(node, 0, "file")
            if path is not None and _write_mode(argument(node, 1, "mode")):
                return path.value, "writes a file"
            return None
        if qualified in _COPY_FUNCTIONS:
            destination = argument(node, 1, "dst")
            return (destination.value, "copies a file") if destination is not None else None
        if qualified is not None or not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        receiver = node.func.value
        if method in ("write_bytes", "write_text"):
            return receiver, "writes a file"
        if method == "open" and _write_mode(argument(node, 0, "mode")):
            return receiver, "writes a file"
        if method != "save":
            return None
        destination = positional(node, 0) or argument(node, 0, "dst")
        if destination is None:
            return None
        upload = isinstance(receiver, cst.Name) and self._is_upload(receiver)
        if upload or _uploads_in_request(receiver) or self._looks_like_path(destination.value):
            return destination.value, "saves an upload" if upload else "saves a file"
        return None

    def _is_upload(self, name: cst.Name) -> bool:
        """A variable holding an uploaded file: `request.files["x"]`, a loop over `getlist()`."""
        if name.value in self._upload_parameters:
            return True
        value = self._values.get(self.context.enclosing_function(), {}).get(name.value)
        return value is not None and _uploads_in_request(value)

    def _looks_like_path(self, node: cst.BaseExpression) -> bool:
        """A file path rather than a buffer or a response: `.save(path)` vs `.save(buffer)`."""
        for current in self._parts(node):
            if not isinstance(current, cst.BaseExpression):
                continue
            value = self.context.literal(current)
            text = self.context.string_value(value)
            if text is not None:
                return "/" in text or bool(re.search(r"\.\w{2,4}$", text))
            if isinstance(value, cst.FormattedString):
                return True
            if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Divide):
                return True
            if isinstance(value, cst.Call):
                function = self.context.qualified_name(value.func) or ""
                return function in ("os.path.join", "pathlib.Path", "pathlib.PurePath")
            name = (
                _subscript_key(value, self.context)
                if isinstance(value, cst.Subscript)
                else dotted_name(value)
            )
            if name is not None and _PATH_NAME.search(name.rsplit(".", 1)[-1]):
                return True
            if not isinstance(current, cst.Name):
                return False
        return False

    def _is_log_or_device(self, node: cst.BaseExpression) -> bool:
        text = self.context.string_value(self.context.literal(node))
        if text is not None:
            return text.endswith((".log", ".pid")) or text.startswith("/dev/")
        name = dotted_name(node) or ""
        return bool(re.search(r"(^|_|\.)(log|logfile|log_file|pidfile|pid_file|devnull)$", name, re.I))

    def _upload_location(self, node: cst.BaseExpression) -> str | None:
        """`UPLOAD_FOLDER`, `settings.MEDIA_ROOT`, "uploads/"... when the path is built from one."""
        for current in self._parts(node):
            name = None
            if isinstance(current, (cst.Name, cst.Attribute)):
                name = dotted_name(current)
            elif isinstance(current, cst.Subscript):
                name = _subscript_key(current, self.context)
            elif isinstance(current, cst.BaseExpression):
                text = self.context.string_value(current)
                if text is not None and re.search(r"(^|/)(uploads?|media)(/|$)", text):
                    return repr(text)
            if name is not None and _UPLOAD_NAME.match(name.rsplit(".", 1)[-1]):
                return name.rsplit(".", 1)[-1]
        return None

    # -- settings and project facts -----------------------------------------------------------

    def _setting(self, key: str, value: cst.BaseExpression) -> None:
        if _non_production(self.context):
            return
        if key == "DEFAULT_FILE_STORAGE":
            text = self.context.string_value(value)
            if text is not None and text.endswith("FileSystemStorage"):
                self.report(value, "The default file storage is the local disk; use object storage")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """`STORAGES = {"default": {"BACKEND": ...}}` (Django 4.2+)."""
        context = self.context
        if context.string_value(node.key) != "BACKEND":
            return
        stack = context.stack
        owner = stack[-3] if len(stack) >= 5 else None
        if not isinstance(owner, cst.DictElement) or context.string_value(owner.key) != "default":
            return
        assignment = stack[-5]
        targets = (
            [target.target for target in assignment.targets]
            if isinstance(assignment, cst.Assign)
            else [assignment.target]
            if isinstance(assignment, cst.AnnAssign)
            else []
        )
        if not any(isinstance(target, cst.Name) and target.value == "STORAGES" for target in targets):
            return
        backend = context.string_value(node.value)
        if backend is not None and backend.endswith("FileSystemStorage") and not _non_production(context):
            self.report(node.value, "The default file storage is the local disk; use object storage")

    @classmethod
    def file_facts(cls, text: str, tree: ast.Module, relative_path: str) -> list[Any] | None:
        """[uses uploads, configures remote storage, (row, column) of MEDIA_ROOT or None]."""
        if is_test_path(relative_path):
            return None
        uploads = _UPLOAD_USE.search(text) is not None
        settings = _StorageSettings()
        if "MEDIA_ROOT" in text or "STORAGE" in text or "storages" in text:
            settings = _storage_settings(tree)
        media_root = settings.media_root if not is_non_production_settings(relative_path) else None
        if not (uploads or settings.remote or media_root):
            return None
        return [uploads, settings.remote, media_root]

    def check(self, project: ProjectModel) -> Iterable[Finding]:
        """A Django project saving uploads under MEDIA_ROOT with no remote storage backend.

        Reads the facts each Python file recorded (`file_facts`, from its text and `ast`
        tree, cached with its results): no file is libcst-parsed for this project view.
        """
        recorded = project.facts(self.code)
        uploads = any(facts[0] for facts in recorded.values())
        remote = any(facts[1] for facts in recorded.values())
        if not uploads or remote:
            return
        for relative, (_uploads, _remote, media_root) in sorted(recorded.items()):
            if media_root is None:
                continue
            row, column = media_root
            yield self.make_finding(
                project.display(project.root / relative),
                Location(row, column),
                Location(row, column + len("MEDIA_ROOT")),
                "Uploaded files (FileField/ImageField, request.FILES) are stored under MEDIA_ROOT "
                "on the local disk and no remote storage backend is configured; set "
                'STORAGES["default"] to object storage (django-storages)',
            )


_UPLOAD_USE = re.compile(r"\b(?:FileField|ImageField)\b|request\.FILES|default_storage\.save\(")
_REMOTE_BACKENDS = ("storages.backends.", "cloudinary_storage.")


@dataclass
class _StorageSettings:
    media_root: tuple[int, int] | None = None  # 1-based row and column of `MEDIA_ROOT =`
    remote: bool = False  # a storage backend other than the local file system is configured


def _storage_settings(tree: ast.Module) -> _StorageSettings:
    """What a settings module says about file storage, read with `ast` (cheap, no libcst)."""
    found = _StorageSettings()
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


# -- FS0602 ------------------------------------------------------------------------------

_CONTAINER_CALLS = frozenset(
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
_CONTAINER_PREFIXES = ("cachetools.",)
_MUTATORS = frozenset(
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
_MODULE_CONTAINER = re.compile(
    rb"(?m)^(?!__)([A-Za-z_]\w*)(?:[ \t]*:[^=\n]*)?[ \t]*=[ \t]*"
    rb"(?:[\[{]|(?:\w+\.)?(?:set|dict|list|defaultdict|OrderedDict|Counter|deque|ChainMap|Weak\w+|\w*Cache|Queue)\()"
)
_MUTATION = (
    rb"(?:\[[^\]\n]*\])*\.(?:append|appendleft|extend|extendleft|insert|add|update|setdefault|pop|popitem|popleft"
    rb"|remove|discard|clear|move_to_end|subtract|\w+_update|put|put_nowait)\("
    rb"|(?:\[[^\]\n]*\])+[ \t]*[-+*/|&^]?=(?!=)"
)


def _mutates_a_module_container(data: bytes) -> bool:
    """An indented `NAME[...] = `, `NAME.append(`, `del NAME[` for a module-level container NAME."""
    for match in _MODULE_CONTAINER.finditer(data):
        name = re.escape(match.group(1))
        # Searched from the name (a literal: fast), then the line is checked for indentation.
        mutation = re.compile(rb"(?<![\w.])" + name + rb"(?:" + _MUTATION + rb")")
        deletion = re.compile(rb"(?<![\w.])del[ \t]+" + name + rb"\[")
        for found in (*mutation.finditer(data), *deletion.finditer(data)):
            line = data[data.rfind(b"\n", 0, found.start()) + 1 : found.start()]
            if line[:1] in (b" ", b"\t") and (found.re is mutation or not line.strip()):
                return True
    return False


# A cache falls back on a miss (Factor VI allows it); connections belong to their process.
_EXEMPT_NAME = re.compile(
    r"cache|memo|lru|conn|client|socket|(^|_)ws(_|$)|peer|subscriber|listener|waiter|watcher|connected",
    re.IGNORECASE,
)
_LOCAL_BACKENDS = {
    "SESSION_TYPE": {"filesystem": "on the local disk"},
    "CACHE_TYPE": {
        "simple": "in process memory",
        "SimpleCache": "in process memory",
        "flask_caching.backends.SimpleCache": "in process memory",
        "flask_caching.backends.simplecache.SimpleCache": "in process memory",
        "filesystem": "on the local disk",
        "FileSystemCache": "on the local disk",
        "flask_caching.backends.FileSystemCache": "on the local disk",
        "flask_caching.backends.filesystemcache.FileSystemCache": "on the local disk",
    },
}
_DJANGO_FILE_SESSIONS = "django.contrib.sessions.backends.file"
_DJANGO_CACHE_SESSIONS = "django.contrib.sessions.backends.cache"
_DJANGO_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "in process memory",
    "django.core.cache.backends.filebased.FileBasedCache": "on the local disk",
}


class InMemorySessionStore(SourceRule):
    """
    ## What it does
    Finds per-user state kept inside the process:

    - module-level mutable containers (`dict`, `list`, `set`, `defaultdict`,
      `OrderedDict`, `Counter`, `deque`, cachetools caches; plain or
      annotated, such as `_sessions: dict[str, dict] = {}`) mutated inside a
      request handler: item assignment, `del`, `.append/.add/.update/
      .setdefault/.pop/...`;
    - module globals rebound from a handler through `global` (`hits += 1`);
    - session and cache backends in process memory or on local disk:
      Flask-Session `SESSION_TYPE = "filesystem"`, Django
      `SESSION_ENGINE = "...sessions.backends.file"`, cache-backed sessions
      while `CACHES` uses `LocMemCache`/`FileBasedCache`; and, at info
      severity, such a cache backend by itself (Django `CACHES`,
      Flask-Caching `CACHE_TYPE = "SimpleCache"`).

    Stays silent on state nobody writes per request (a module-level dict of
    constants read in handlers, a registry filled at import time), on
    containers named as caches (a cache falls back on a miss, which Factor VI
    allows), on connection registries (`clients`, `connections`,
    `websockets`: a socket belongs to its process), on lazy initialisation
    (`global client; client = make_client()`), and on development and test
    settings. Flask-Session's `"null"` type stores nothing, so it is not
    reported.

    ## Why is this bad?
    Factor VI: twelve-factor processes are stateless and share nothing. The
    next request from the same user may reach another process, or a process
    started after a deploy; state kept in memory or on the local disk is
    then missing, and sessions, carts and counters silently diverge between
    processes.

    ## Example
    ```python
    _carts = {}

    @bp.route("/cart/<item_id>", methods=["POST"])
    def add_to_cart(item_id):
        _carts.setdefault(session["user_id"], []).append(item_id)
        return {"items": _carts[session["user_id"]]}
    ```

    Use instead:
    ```python
    carts = redis.Redis.from_url(os.environ["REDIS_URL"])

    @bp.route("/cart/<item_id>", methods=["POST"])
    def add_to_cart(item_id):
        carts.rpush(f"cart:{session['user_id']}", item_id)
        return {"items": carts.lrange(f"cart:{session['user_id']}", 0, -1)}
    ```

    ## Fix
    None: the state has to move to a backing service (Redis, a database),
    or a session backend that uses one.
    """

    code = "FS0602"
    name = "in-memory-session-store"
    severity = Severity.WARNING
    summary = "Per-user state is kept in process memory or on local disk"
    test_files = "not checked; development and test settings modules are not checked either"
    # Session/cache settings anywhere; state mutations only where handlers can be, in files
    # that bind a module-level container or use `global`.
    triggers = (b"SESSION_TYPE", b"SESSION_ENGINE", b"CACHE_TYPE", b"LocMemCache", b"FileBasedCache")

    @classmethod
    def triggered_by(cls, data: bytes) -> bool:
        if super().triggered_by(data):
            return True
        if not may_define_handlers(data):
            return False
        return b"global " in data or _mutates_a_module_container(data)

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            """
            from flask import Flask, abort

            app = Flask(__name__)
            PLANS = {"free": 0, "pro": 20}
            HANDLERS = {}

            def register(name):
                def wrap(func):
                    HANDLERS[name] = func
                    return func
                return wrap

            @register("ping")
            def ping():
                return "pong"

            @app.get("/plans/<name>")
            def plan(name):
                if name not in PLANS:
                    abort(404)
                return {"price": PLANS[name], "handler": HANDLERS.get(name)}
            """,
            note="constants read in handlers, a registry filled at import time",
        ),
        Valid(
            """
            from fastapi import FastAPI, WebSocket

            app = FastAPI()
            connections: set[WebSocket] = set()
            _template_cache = {}

            @app.websocket("/ws")
            async def feed(websocket: WebSocket):
                await websocket.accept()
                connections.add(websocket)

            @app.get("/page/{name}")
            async def page(name: str):
                if name not in _template_cache:
                    _template_cache[name] = load_template(name)
                return _template_cache[name]
            """,
            note="a connection registry and a cache",
        ),
        Valid(
            """
            import redis
            from flask import Flask

            app = Flask(__name__)
            _client = None

            def helper():
                items = []
                items.append(1)
                return items

            @app.get("/hits")
            def hits():
                global _client
                if _client is None:
                    _client = redis.Redis.from_url("redis://cache:6379/0")
                results = {}
                results["hits"] = _client.incr("hits")
                return results
            """,
            note="lazy initialisation and local containers",
        ),
        Valid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.file"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
            """,
            filename="shop/settings/local.py",
            note="development settings",
        ),
        Valid(
            """
            SESSION_TYPE = "redis"
            SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
            """,
        ),
    )
    INVALID = (
        Invalid(
            """
            from flask import Blueprint, session

            bp = Blueprint("shop", __name__)
            _carts = {}

            @bp.route("/cart/<item_id>", methods=["POST"])
            def add_to_cart(item_id):
                _carts.setdefault(session["user_id"], []).append(item_id)
                return {"items": _carts[session["user_id"]]}
            """,
            line=8,
        ),
        Invalid(
            """
            import uuid

            from fastapi import APIRouter, Response

            router = APIRouter()
            _sessions: dict[str, dict] = {}

            @router.post("/login")
            async def login(response: Response):
                sid = uuid.uuid4().hex
                _sessions[sid] = {"user": "someone"}
                response.set_cookie("sid", sid)

            @router.post("/logout")
            async def logout(sid: str):
                del _sessions[sid]
            """,
            count=2,
            note="annotated container; assignment and del in two handlers",
        ),
        Invalid(
            """
            from django.http import JsonResponse
            from django.views import View

            VOTES = []

            class VoteView(View):
                def post(self, request):
                    VOTES.append(request.POST["choice"])
                    return JsonResponse({"count": len(VOTES)})
            """,
            filename="polls/views.py",
            note="a Django class-based view",
        ),
        Invalid(
            """
            from aiohttp import web

            hits = 0

            async def count(request):
                global hits
                hits += 1
                return web.json_response({"hits": hits})

            def setup(app):
                app.router.add_get("/count", count)
            """,
            note="a global counter; the handler is registered by name",
        ),
        Invalid(
            """
            from collections import defaultdict

            from rest_framework.decorators import api_view
            from rest_framework.response import Response

            likes = defaultdict(set)

            @api_view(["POST"])
            def like(request, post_id):
                likes[post_id].add(request.user.id)
                return Response({"likes": len(likes[post_id])})
            """,
            filename="blog/api.py",
        ),
        Invalid(
            """
            from flask import Flask

            app = Flask(__name__)
            app.config["SESSION_TYPE"] = "filesystem"
            """,
        ),
        Invalid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.cache"
            CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            }
            """,
            filename="shop/settings.py",
            count=2,
            note="cache sessions on a per-process cache (and the cache itself, at info severity)",
        ),
        Invalid(
            """
            SESSION_ENGINE = "django.contrib.sessions.backends.file"
            """,
            filename="shop/settings/production.py",
        ),
    )

    def __init__(self, context: FileContext | None = None) -> None:
        super().__init__(context)
        self._globals: dict[cst.FunctionDef, set[str]] = {}
        self._locals: dict[cst.FunctionDef, set[str]] = {}
        self._reported: set[tuple[int, str]] = set()
        self._cache_sessions: list[cst.BaseExpression] = []
        self._local_cache: str | None = None

    # -- mutations in handlers -----------------------------------------------------------

    def _container(self, node: cst.BaseExpression) -> str | None:
        """The name of a module-level mutable container `node` is built on."""
        base = _base_name(node)
        if base is None or _EXEMPT_NAME.search(base.value):
            return None
        value = self.context.module_constant(base)
        if value is None or not self._is_mutable(value):
            return None
        function = self.context.enclosing_function()
        if function is not None and base.value in self._local_names(function):
            return None
        return base.value

    def _is_mutable(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)):
            return True
        if isinstance(value, cst.Call):
            qualified = self.context.qualified_name(value.func) or ""
            return qualified in _CONTAINER_CALLS or qualified.startswith(_CONTAINER_PREFIXES)
        return False

    def _local_names(self, function: cst.FunctionDef) -> set[str]:
        """Names the function binds itself (so they shadow a module-level one)."""
        names = self._locals.get(function)
        if names is None:
            names = set()
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
            names -= self._globals.get(function, set())
            self._locals[function] = names
        return names

    def _report_mutation(self, node: cst.CSTNode, name: str, how: str) -> None:
        handler = _request_handler(self.context)
        if handler is None:
            return
        key = (id(handler.function), name)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report(
            node,
            f"Request handler `{handler.name}` {how} `{name}`: state kept in process memory is lost on "
            "restart and not shared with other processes; keep it in a backing service (Redis, a database)",
        )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
            name = self._container(func.value)
            if name is not None and not self._tracks_connection(node):
                self._report_mutation(node, name, "mutates the module-level")
        for key, value in config_assignments(node, self.context):
            self._setting(key, value)

    @staticmethod
    def _tracks_connection(node: cst.Call) -> bool:
        """`rooms[room].add(websocket)`: the stored value is a connection."""
        return any(_is_connection(arg.value) for arg in node.args)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assignment(target.target, node.value)
        for key, value in config_assignments(node, self.context):
            self._setting(key, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assignment(node.target, node.value)
            for key, value in config_assignments(node, self.context):
                self._setting(key, value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assignment(node.target, None)

    def _assignment(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Subscript):
            name = self._container(target)
            if name is not None and not (value is not None and _is_connection(value)):
                self._report_mutation(target, name, "writes to the module-level")
            return
        if not isinstance(target, cst.Name):
            return
        function = self.context.enclosing_function()
        if function is None or target.value not in self._globals.get(function, ()):
            return
        if value is not None and (self._is_lazy_initialisation(value) or _is_connection(value)):
            return
        self._report_mutation(target, target.value, "rebinds the module global")

    @staticmethod
    def _is_lazy_initialisation(value: cst.BaseExpression) -> bool:
        """`client = make_client()`: a singleton built on first use, not per-user state."""
        if isinstance(value, cst.Await):
            value = value.expression
        return isinstance(value, cst.Call)

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for target in [element.value for element in targets] if targets else [node.target]:
            if isinstance(target, cst.Subscript):
                name = self._container(target)
                if name is not None:
                    self._report_mutation(target, name, "deletes from the module-level")

    def visit_Global(self, node: cst.Global) -> None:
        function = self.context.enclosing_function()
        if function is not None:
            self._globals.setdefault(function, set()).update(item.name.value for item in node.names)

    # -- session and cache backends --------------------------------------------------------

    def _setting(self, key: str, value: cst.BaseExpression) -> None:
        if _non_production(self.context):
            return
        text = self.context.string_value(value)
        if text is None:
            return
        if key in _LOCAL_BACKENDS and text in _LOCAL_BACKENDS[key]:
            where = _LOCAL_BACKENDS[key][text]
            if key == "SESSION_TYPE":
                self.report(
                    value,
                    f'Flask-Session SESSION_TYPE "{text}" keeps sessions {where}, per process; '
                    "use redis, memcached or a database",
                )
            else:
                self.report(
                    value,
                    f'CACHE_TYPE "{text}" keeps the cache {where}, separate in every process',
                    severity=Severity.INFO,
                )
        elif key == "SESSION_ENGINE" and text == _DJANGO_FILE_SESSIONS:
            self.report(
                value,
                "Django file sessions are stored on the local disk of one process; "
                "use the db, cached_db or a shared cache backend",
            )
        elif key == "SESSION_ENGINE" and text == _DJANGO_CACHE_SESSIONS:
            self._cache_sessions.append(value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        context = self.context
        if context.string_value(node.key) != "BACKEND" or _non_production(context):
            return
        backend = context.string_value(node.value)
        if backend in _DJANGO_LOCAL_CACHES:
            where = _DJANGO_LOCAL_CACHES[backend]
            self._local_cache = where
            self.report(
                node.value,
                f"This cache backend keeps its data {where}, separate in every process; "
                "use Redis or Memcached when processes must agree",
                severity=Severity.INFO,
            )

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._local_cache is None:
            return
        for value in self._cache_sessions:
            self.report(
                value,
                f"Sessions are stored in the cache, and CACHES keeps it {self._local_cache}: "
                "sessions are lost on restart and not shared between processes",
            )


# -- FS0603 ------------------------------------------------------------------------------

_SQLITE_CONNECT = frozenset(
    {
        "sqlite3.connect",
        "sqlite3.dbapi2.connect",
        "aiosqlite.connect",
        "peewee.SqliteDatabase",
        "playhouse.sqlite_ext.SqliteExtDatabase",
        "playhouse.sqliteq.SqliteQueueDatabase",
        "playhouse.apsw_ext.APSWDatabase",
        "sqlite_utils.Database",
    }
)
_SQLITE_URL = re.compile(r"^sqlite(\+\w+)?://(?P<path>.*)$", re.IGNORECASE)
_MEMORY = re.compile(r"(^$|^/?:memory:|^file::memory:|mode=memory)", re.IGNORECASE)


class SqliteAppDatabase(SourceRule):
    """
    ## What it does
    Finds a file-backed SQLite database used as the application's store:
    `sqlite3.connect("app.db")` (and `aiosqlite`, peewee `SqliteDatabase`)
    with a literal path, `sqlite:///path` URLs (SQLAlchemy, Flask-SQLAlchemy,
    `databases`, Tortoise), and Django `DATABASES` entries with the
    `sqlite3` engine and a file `NAME`.

    Not reported: `:memory:` databases; SQLite as the fallback of an
    environment lookup (`os.environ.get("DATABASE_URL", "sqlite:///app.db")`,
    `dj_database_url.config(default=...)`, `env.db(default=...)`, a pydantic
    `BaseSettings` default); a SQLite branch of an `if` that switches on the
    environment, `DEBUG` or `sys.argv`; a path read from the environment
    (an explicit choice, such as a mounted volume); test, development and
    local settings modules and config classes; a file named as a cache
    (`cache.sqlite`: a cache may live on local disk); and one-off scripts (a
    `__main__` program that is not a web app, `scripts/`, `manage.py`).

    ## Why is this bad?
    Factor VI: persistent data lives in a stateful backing service. A SQLite
    file sits on one process's local disk: it is lost when the container is
    replaced, every process (or replica) gets its own copy, and concurrent
    writers lock each other out.

    ## Example
    ```python
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
    ```

    Use instead:
    ```python
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    ```

    ## Fix
    None: pick a database service (PostgreSQL, MySQL) and read its URL from
    the environment; keeping SQLite as the local default of that lookup is
    fine.
    """

    code = "FS0603"
    name = "sqlite-app-database"
    severity = Severity.WARNING
    summary = "A file-backed SQLite database is the app's store"
    test_files = (
        "not checked; development, local and test settings and sample apps (examples/, docs/) "
        "are out of scope too"
    )
    triggers = (
        b"sqlite:",
        b"sqlite+",
        b"SQLITE:",
        b"sqlite3.connect",
        b"sqlite3.dbapi2",
        b"from sqlite3 import",
        b"backends.sqlite3",
        b"spatialite",
        b"SqliteDatabase",
        b"SqliteExtDatabase",
        b"SqliteQueueDatabase",
        b"APSWDatabase",
        b"aiosqlite",
        b"sqlite_utils",
    )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        # Scripts (manage.py, scripts/, migrations/) are one-off processes, never reported;
        # sample apps under examples/ or docs/ are not what the project deploys.
        return not (
            is_test_path(relative_path)
            or is_admin_script_path(relative_path)
            or is_sample_path(relative_path)
        )

    VALID = (
        Valid(
            """
            import os

            import dj_database_url

            DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}
            SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///app.db"
            BACKUP_URL = os.getenv("BACKUP_URL", "sqlite:///backup.db")
            """,
            filename="shop/settings.py",
            note="SQLite as the local fallback of an environment lookup",
        ),
        Valid(
            """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                database_url: str = "sqlite:///./app.db"
            """,
            note="a pydantic settings default, overridden by DATABASE_URL",
        ),
        Valid(
            """
            import sqlite3

            from flask import Flask

            app = Flask(__name__)
            cache = sqlite3.connect(":memory:")
            engine_url = "sqlite://"
            """,
        ),
        Valid(
            """
            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": "test.sqlite3",
                }
            }
            """,
            filename="shop/settings/test.py",
        ),
        Valid(
            """
            import os
            import sys

            if "test" in sys.argv or os.environ.get("CI"):
                DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "ci.sqlite3"}}
            else:
                DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
            """,
            filename="shop/settings.py",
            note="a branch chosen by the environment",
        ),
        Valid(
            """
            import csv
            import sqlite3

            def main():
                db = sqlite3.connect("export.db")
                with open("rows.csv") as handle:
                    db.executemany("insert into rows values (?, ?)", csv.reader(handle))

            if __name__ == "__main__":
                main()
            """,
            filename="tools/load_csv.py",
            note="a one-off script",
        ),
    )
    INVALID = (
        Invalid(
            """
            from pathlib import Path

            BASE_DIR = Path(__file__).resolve().parent.parent

            DATABASES = {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": BASE_DIR / "db.sqlite3",
                }
            }
            """,
            filename="shop/settings.py",
            line=7,
        ),
        Invalid(
            """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
            db = SQLAlchemy(app)
            """,
        ),
        Invalid(
            """
            import sqlite3

            from flask import Flask, g

            DATABASE = "/srv/data/app.db"
            app = Flask(__name__)

            def get_db():
                if "db" not in g:
                    g.db = sqlite3.connect(DATABASE)
                return g.db
            """,
            line=10,
        ),
        Invalid(
            """
            import os

            from sqlalchemy import create_engine

            basedir = os.path.abspath(os.path.dirname(__file__))
            engine = create_engine("sqlite:///" + os.path.join(basedir, "app.db"))
            """,
            filename="app/database.py",
        ),
        Invalid(
            """
            from fastapi import FastAPI
            from sqlalchemy.ext.asyncio import create_async_engine

            app = FastAPI()
            engine = create_async_engine(f"sqlite+aiosqlite:///{app.title}.db")
            """,
        ),
    )

    def _in_scope(self) -> bool:
        context = self.context
        return not (
            _non_production(context)
            or context.handlers.is_script
            or context.in_main_block()
            or guarded_by_configuration(context)
        )

    def _report(self, node: cst.CSTNode, what: str) -> None:
        self.report(
            node,
            f"{what} is the app's store: it lives on one process's local disk and is lost with the "
            "container; use a database service and read its URL from the environment",
        )

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualified_name(node.func) not in _SQLITE_CONNECT:
            return
        target = argument(node, 0, "database") or argument(node, 0, "filename")
        if target is None or reads_environment(target.value, self.context):
            return
        constant = resolve_constant(target.value, self.context)
        if constant is not None:
            if not isinstance(constant.value, str) or _MEMORY.search(constant.value):
                return
            name = constant.value
        elif self._is_path_expression(target.value):
            name = "a file"
        else:
            return
        if re.search(r"cache|tmp|temp", name, re.IGNORECASE) or not self._in_scope():
            return  # a local cache may live on the process's disk (Factor VI)
        self._report(node, f"The SQLite database {name!r}" if name != "a file" else "A SQLite database file")

    def _is_path_expression(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            return True
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Divide, cst.Add)):
            return True
        return isinstance(node, cst.Call) and self.context.qualified_name(node.func) in (
            "os.path.join",
            "pathlib.Path",
            "builtins.str",
        )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "sqlite" not in node.value.lower():
            return  # evaluating every string literal costs a compile() each
        text = node.evaluated_value
        if not isinstance(text, str):
            return
        match = _SQLITE_URL.match(text)
        if match is None:
            return
        path = match["path"]
        if path.startswith("/"):
            path = path[1:]
        parent = self.context.parent
        joined = (isinstance(parent, cst.BinaryOperation) and parent.left is node) or (
            isinstance(parent, cst.ConcatenatedString) and parent.left is node
        )
        if not joined and (not path or _MEMORY.search(path)):
            return
        self._url(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        first = node.parts[0] if node.parts else None
        if not isinstance(first, cst.FormattedStringText):
            return
        match = _SQLITE_URL.match(first.value)
        if match is None or ":memory:" in first.value:
            return
        self._url(node)

    def _url(self, node: cst.BaseExpression) -> None:
        if is_env_default(self.context) or not self._in_scope():
            return
        self._report(node, "A SQLite database file")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """Django: {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}."""
        context = self.context
        engine = context.string_value(node.value)
        if context.string_value(node.key) != "ENGINE" or engine is None:
            return
        if not engine.endswith(("sqlite3", "spatialite")):
            return
        owner = context.parent
        if not isinstance(owner, cst.Dict):
            return
        name = next(
            (
                element.value
                for element in owner.elements
                if isinstance(element, cst.DictElement) and context.string_value(element.key) == "NAME"
            ),
            None,
        )
        if name is None or reads_environment(name, context):
            return
        text = context.string_value(context.literal(name))
        if text is not None and _MEMORY.search(text):
            return
        if self._in_scope() and not is_env_default(context):
            self._report(node.value, "Django's SQLite database file")
