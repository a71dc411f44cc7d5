"""FS0601 local-upload-storage: files are stored on the process's local disk."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

import libcst as cst

from factorscan.checks.base import Invalid, ProjectRule, Severity, SourceRule, Valid
from factorscan.checks.processes._shared import non_production, request_handler
from factorscan.checks.processes._storage_settings import StorageFact, storage_fact
from factorscan.checks.processes._upload_paths import (
    COPY_FUNCTIONS,
    FILE_SYSTEM_STORAGE,
    OPEN_FUNCTIONS,
    PATH_NAME,
    TEMP_NAME,
    TEMP_PREFIXES,
    UPLOAD_NAME,
    BoundValues,
    names_and_strings,
    saves_content,
    subscript_key,
    uploads_in_request,
    write_mode,
)
from factorscan.core.discovery import is_test_path
from factorscan.core.findings import Finding, Location
from factorscan.python.call_facts import record_reach_candidate
from factorscan.python.codemods import argument, positional
from factorscan.python.handlers import may_define_handlers
from factorscan.python.imports import dotted_name
from factorscan.scan.call_graph import reached_findings
from factorscan.scan.project import ProjectModel

# An app package whose app.config holds folders, for the examples.
_FLASK_PACKAGE = {
    "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n"
    'app.config.update(AVATARS="/srv/media/avatars", SCANS="/srv/scans", SCRATCH="/tmp/scans")\n'
}

# A helper that writes a file, and a request handler of another module that may call it.
_STORE_HELPER = """
def store(name, data):
    with open(f"/srv/files/{name}", "wb") as out:
        out.write(data)
"""
_UPLOAD_VIEW = """
from flask import Flask, request
from shop import storage
app = Flask(__name__)
@app.post("/upload")
def upload():
    {call}("avatar.png", request.files["file"].read())
"""


class LocalUploadStorage(BoundValues, SourceRule, ProjectRule):
    """
    ## What it does
    Finds durable writes to the local disk from request handlers (Flask,
    FastAPI, Django, aiohttp and the other frameworks the handler detector
    knows): werkzeug `FileStorage.save(...)`, `open(path, "wb")` (and `"w"`,
    `"a"`, `"x"`, `+`), `aiofiles.open`, `Path.write_bytes/write_text`,
    `shutil.copy/move` into a local path, and Django's `request.FILES` chunks
    written to a file; also in first-party functions a request handler calls
    (up to three calls away, across modules), named in the message. Outside
    handlers, it finds the same writes into
    `UPLOAD_FOLDER` / `MEDIA_ROOT`-style locations, Django `FileSystemStorage`
    set up explicitly, and, for a whole Django project, `MEDIA_ROOT` used by
    `FileField`/`ImageField` or `request.FILES`, or else a default storage
    set explicitly to `FileSystemStorage`, when no settings module configures
    another default storage (`STORAGES` / `DEFAULT_FILE_STORAGE`). A settings
    module gets one finding: MEDIA_ROOT and the local default it goes with are
    one problem.

    A folder a config object holds counts as the literal it is set to: a class
    attribute (`Config.UPLOAD_DIR`), a dataclass default, an `app.config` key.

    Files under `tempfile` locations (or `/tmp`), in-memory buffers
    (`io.BytesIO`) and log files (FS1102's concern) are not reported: the
    handler that writes a temporary file reads it back and discards it.

    Storage chosen by configuration is not reported: a default backend read
    from the environment or from the operator's configuration
    (`env.str("DJANGO_STORAGES_DEFAULT_BACKEND", ...)`, `getattr(configuration,
    "STORAGES", {})`), or one that a branch assigns over the local default
    (`if BUCKET: STORAGES["default"] = {...}`), in any settings module of the
    project; the local disk is then only the default of a single-host
    install. For the same reason a model file field's `save(name, content)`
    (`instance.image.save(...)`) is no local write: it goes through that
    configured storage. Development and test settings say nothing either way.

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
    file_fact = StorageFact
    needs_call_facts = True  # writes in helpers that a request handler calls
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
        # A function may be a handler or a helper one calls (the call graph says which).
        return writes and (
            may_define_handlers(data) or b"def " in data or any(place in data for place in cls._upload_places)
        )

    @classmethod
    def applies_to(cls, relative_path: str) -> bool:
        return not is_test_path(relative_path)

    VALID = (
        Valid(
            _STORE_HELPER,
            filename="shop/storage.py",
            files={"shop/views.py": _UPLOAD_VIEW.format(call="print")},
            note="no request handler calls the helper",
        ),
        Valid(
            """
            import os
            import shutil
            import tempfile

            from django.conf import settings
            from django.core.files.storage import FileSystemStorage
            from flask import Flask, request

            app = Flask(__name__)
            static_storage = FileSystemStorage(location=settings.STATIC_ROOT)
            asset_storage = FileSystemStorage(location="/srv/shop/static/assets")


            @app.post("/convert")
            def convert():
                scratch: str = tempfile.mkdtemp()
                request.files["doc"].save(os.path.join(scratch, "doc.pdf"))
                with tempfile.TemporaryDirectory() as workdir:
                    shutil.copy(os.path.join(scratch, "doc.pdf"), os.path.join(workdir, "doc.pdf"))
                with open(os.path.join(settings.MEDIA_ROOT, "terms.pdf"), "rb") as terms:
                    return terms.read()
            """,
            filename="shop/convert.py",
            note="static files' storage; temporary folders bound by assignment or `with`; a read",
        ),
        Valid(
            """
            import io
            import os
            import pathlib
            import shutil
            import tempfile

            from flask import Flask, request, send_file
            from PIL import Image

            app = Flask(__name__)


            @app.post("/preview")
            def preview():
                image = Image.open(request.files["image"])
                buffer = io.BytesIO()
                image.save(buffer, "PNG")
                scratch = tempfile.mkdtemp()
                image.save(os.path.join(scratch, "preview.png"))
                tmp_dir = pathlib.Path(request.form["work"])
                shutil.copy(request.form["source"], tmp_dir / "source.png")
                pathlib.Path("/tmp/preview-count").write_text("1")
                with open("/dev/null", "w") as sink:
                    sink.write("")
                with open("preview.log", "a") as log_file:
                    log_file.write("preview\\n")
                buffer.seek(0)
                return send_file(buffer, mimetype="image/png")
            """,
            filename="shop/preview.py",
            note="buffers, temporary folders and files, /dev/null and log files are no durable writes",
        ),
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
        Valid(
            """
            import os

            MEDIA_ROOT = os.path.join(BASE_DIR, "media")
            STORAGES = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            if os.environ.get("AWS_MEDIA_BUCKET_NAME"):
                STORAGES["default"] = {"BACKEND": "shop.core.storages.S3MediaStorage"}
            """,
            filename="shop/settings.py",
            files={
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Product(models.Model):\n"
                    "    photo = models.ImageField(upload_to='products')\n"
                ),
            },
            note="the local default is replaced when the environment names a bucket",
        ),
        Valid(
            """
            MEDIA_ROOT = BASE_DIR / "media"
            STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
            """,
            filename="shop/settings/base.py",
            files={
                "shop/settings/main.py": (
                    "import environ\n"
                    "from .base import *\n\n"
                    "env = environ.Env()\n"
                    "STORAGES = {'default': {'BACKEND': env.str('DJANGO_STORAGES_DEFAULT_BACKEND', "
                    "'django.core.files.storage.FileSystemStorage')}}\n"
                ),
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Product(models.Model):\n"
                    "    photo = models.ImageField(upload_to='products')\n"
                ),
            },
            note="another settings module takes the storage backend from the environment",
        ),
        Valid(
            """
            import importlib

            configuration = importlib.import_module("shop.configuration")
            MEDIA_ROOT = getattr(configuration, "MEDIA_ROOT", "/opt/shop/media")
            STORAGES = getattr(configuration, "STORAGES", {})
            """,
            filename="shop/settings.py",
            files={
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Product(models.Model):\n"
                    "    photo = models.ImageField(upload_to='products')\n"
                ),
            },
            note="the storage backends come from the operator's configuration",
        ),
        Valid(
            """
            from django.http import HttpResponseRedirect

            from .models import ProductImage

            def thumbnail(request, pk):
                image = ProductImage.objects.get(pk=pk)
                thumbnail_file_name = f"{image.pk}-thumb.png"
                thumbnail_file = render_thumbnail(image.photo)
                image.thumbnail.save(thumbnail_file_name, thumbnail_file)
                return HttpResponseRedirect(image.thumbnail.url)
            """,
            filename="shop/views.py",
            note="a model FileField's save(name, content) goes through the configured storage",
        ),
        Valid(
            """
            import os

            from flask import request

            from shop import app

            @app.post("/convert")
            def convert():
                request.files["doc"].save(os.path.join(app.config["SCRATCH"], "doc.pdf"))
            """,
            filename="shop/convert.py",
            files=_FLASK_PACKAGE,
            note="an app.config folder set to a temporary location",
        ),
    )
    INVALID = (
        Invalid(
            _STORE_HELPER,
            filename="shop/storage.py",
            files={"shop/views.py": _UPLOAD_VIEW.format(call="storage.store")},
            line=2,
            note="a helper of another module that a request handler calls writes the file",
        ),
        Invalid(
            """
            import os

            from flask import current_app


            def store_attachment(upload, name):
                upload.save(dst=os.path.join(current_app.config["UPLOAD_FOLDER"], name))
                with open("media/" + name, "wb") as copy:
                    copy.write(upload.read())
            """,
            filename="shop/attachments.py",
            files={
                "shop/notes.py": (
                    "import pathlib\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/notes")\ndef save_note():\n'
                    '    pathlib.Path("/srv/notes.bin").write_bytes(request.data)\n    return "", 204\n'
                ),
                "shop/memo.py": (
                    "import pathlib\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/memo")\ndef save_memo():\n'
                    '    pathlib.Path("/srv/memo.txt").write_text(request.form["text"])\n    return "", 204\n'
                ),
                "shop/copies.py": (
                    "import shutil\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/copy")\ndef copy_file():\n'
                    '    shutil.copy(request.form["source"], "/srv/copy.pdf")\n    return "", 204\n'
                ),
                "shop/moves.py": (
                    "import shutil\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/move")\ndef move_file():\n'
                    '    shutil.move(request.form["source"], "/srv/archive.pdf")\n    return "", 204\n'
                ),
                "shop/photos.py": (
                    "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/photo")\ndef photo():\n'
                    '    request.files["photo"].save("latest.png")\n    return "", 204\n'
                ),
                "shop/charts.py": (
                    "from flask import Flask\nfrom PIL import Image\n\napp = Flask(__name__)\n\n\n"
                    '@app.post("/charts")\ndef chart(chart_path):\n'
                    '    Image.new("RGB", (640, 480)).save(chart_path)\n    return "", 204\n'
                ),
                "shop/exports.py": (
                    "def export(rows, upload_folder):\n"
                    '    with open(upload_folder + "/rows.csv", "w") as out:\n        out.writelines(rows)\n'
                ),
                "shop/imports.py": (
                    "def keep(data, upload_dir):\n"
                    '    with open(f"{upload_dir}/import.csv", "wb") as out:\n        out.write(data)\n'
                ),
                "shop/avatars.py": (
                    "def keep(data, name):\n"
                    '    with open("static/uploads/" + name, "wb") as out:\n        out.write(data)\n'
                ),
                "shop/media_files.py": (
                    "def keep(data, name, media_root):\n"
                    '    with open(media_root + "/" + name, "wb") as out:\n        out.write(data)\n'
                ),
            },
            count=12,
            note="outside a handler, writes under an upload folder (each place alone in its file); in "
            "handlers, each write alone in its file",
        ),
        Invalid(
            """
            import os
            import pathlib
            import shutil

            from flask import Flask, request
            from PIL import Image

            app = Flask(__name__)
            DATA_DIR = pathlib.Path("/srv/shop/data")


            @app.post("/invoices")
            def store_invoice():
                shutil.copy(request.form["source"], os.path.join(DATA_DIR, "invoice.pdf"))
                with (DATA_DIR / "invoices.csv").open("a") as ledger:
                    ledger.write(request.form["number"] + "\\n")
                return "", 204


            @app.post("/thumbnails/<name>")
            def thumbnail(name):
                image = Image.open(request.files["image"])
                image.save(f"{DATA_DIR}/thumbs/{name}.png")
                image.save(os.path.join(DATA_DIR, "thumbs", name + ".webp"), "WEBP")
                image.save(pathlib.Path(DATA_DIR, "thumbs", name + ".jpg"))
                destination_path = DATA_DIR / "originals" / name
                image.save(destination_path)
                return "", 204
            """,
            filename="shop/files.py",
            count=6,
            note="writes to paths however they are built",
        ),
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
        Invalid(
            """
            from pathlib import Path

            BASE_DIR = Path(__file__).resolve().parent.parent
            MEDIA_ROOT = BASE_DIR / "media"
            STORAGES = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            }
            """,
            filename="shop/settings.py",
            files={
                "shop/models.py": (
                    "from django.db import models\n\n"
                    "class Document(models.Model):\n"
                    "    upload = models.FileField(upload_to='documents')\n"
                ),
            },
            line=4,
            note="MEDIA_ROOT and the explicit local default are one problem: one finding",
        ),
        Invalid(
            """
            STORAGES = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            """,
            filename="shop/settings.py",
            files={"shop/settings_production.py": "from .settings import *\nDEBUG = False\n"},
            line=2,
            note="the local disk as the default storage, set explicitly; no settings module says otherwise",
        ),
        Invalid(
            """
            from PIL import Image
            from flask import Flask, request

            app = Flask(__name__)
            UPLOAD_FOLDER = "/srv/uploads"

            @app.post("/avatar")
            def avatar():
                image = Image.open(request.files["avatar"])
                image.save(f"{UPLOAD_FOLDER}/avatar.png", "PNG")
                return {"ok": True}
            """,
            line=10,
            note="Pillow's save(path, format): a format is not file content",
        ),
        Invalid(
            """
            import os

            from flask import current_app, request

            from shop import app

            def store_avatar(upload, name):
                upload.save(os.path.join(current_app.config["AVATARS"], name))

            @app.post("/scan")
            def scan():
                request.files["doc"].save(os.path.join(app.config["SCANS"], "doc.pdf"))
            """,
            filename="shop/storage.py",
            files=_FLASK_PACKAGE,
            count=2,
            note="app.config folders set to a media folder (outside a handler) and to one on the disk",
        ),
    )

    def __init__(self) -> None:
        super().__init__()
        self._upload_parameters: set[str] = set()  # FastAPI `file: UploadFile`

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
                if TEMP_NAME.search(current.value):
                    return True
            elif isinstance(current, cst.Attribute) and TEMP_NAME.search(current.attr.value):
                return True
            text = self.context.string_value(current) if isinstance(current, cst.BaseExpression) else None
            if text is not None and text.startswith(TEMP_PREFIXES):
                return True
        return False

    # -- writes ----------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        qualified = context.qualified_name(node.func)
        if qualified in FILE_SYSTEM_STORAGE:
            # Static files are build output collected per release, not uploads.
            static = "static" in context.relative_path or any(
                "static" in name.lower()
                for arg in node.args
                for name in names_and_strings(arg.value, context)
            )
            if not static and not non_production(context):
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
        handler = request_handler(context)
        location = self._upload_location(path)
        if handler is not None:
            where = f" under {location}" if location else ""
            self.report(
                node,
                f"Request handler `{handler.name}` {what}{where} on the local disk; "
                "the file is lost with the container and invisible to other processes",
            )
        elif location and not non_production(context):
            self.report(
                node,
                f"This code {what} under {location} on the local disk, where uploads are lost with the "
                "container and invisible to other processes; use object storage",
            )
        elif not non_production(context):
            record_reach_candidate(
                context,
                self.code,
                node,
                f"`{{function}}` {what} on the local disk, {{reached}}; "
                "the file is lost with the container and invisible to other processes",
            )

    def _written_path(self, node: cst.Call, qualified: str | None) -> tuple[cst.BaseExpression, str] | None:
        """The path a call writes to, and how to say it, or None for anything else."""
        if qualified in OPEN_FUNCTIONS:
            path = argument(node, 0, "file")
            if path is not None and write_mode(argument(node, 1, "mode")):
                return path.value, "writes a file"
            return None
        if qualified in COPY_FUNCTIONS:
            destination = argument(node, 1, "dst")
            return (destination.value, "copies a file") if destination is not None else None
        if qualified is not None or not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        receiver = node.func.value
        if method in ("write_bytes", "write_text"):
            return receiver, "writes a file"
        if method == "open" and write_mode(argument(node, 0, "mode")):
            return receiver, "writes a file"
        if method != "save":
            return None
        destination = positional(node, 0) or argument(node, 0, "dst")
        if destination is None:
            return None
        upload = isinstance(receiver, cst.Name) and self._is_upload(receiver)
        if not upload and saves_content(node, self.context):
            return None  # a model file field or a storage: the configured storage keeps it
        if upload or uploads_in_request(receiver) or self._looks_like_path(destination.value):
            return destination.value, "saves an upload" if upload else "saves a file"
        return None

    def _is_upload(self, name: cst.Name) -> bool:
        """A variable holding an uploaded file: `request.files["x"]`, a loop over `getlist()`."""
        if name.value in self._upload_parameters:
            return True
        value = self._values.get(self.context.enclosing_function(), {}).get(name.value)
        return value is not None and uploads_in_request(value)

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
                subscript_key(value, self.context) if isinstance(value, cst.Subscript) else dotted_name(value)
            )
            if name is not None and PATH_NAME.search(name.rsplit(".", 1)[-1]):
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
                name = subscript_key(current, self.context)
            elif isinstance(current, cst.BaseExpression):
                text = self.context.string_value(current)
                if text is not None and re.search(r"(^|/)(uploads?|media)(/|$)", text):
                    return repr(text)
            if name is not None and UPLOAD_NAME.match(name.rsplit(".", 1)[-1]):
                return name.rsplit(".", 1)[-1]
        return None

    # -- settings and project facts -----------------------------------------------------------

    @classmethod
    def file_facts(cls, text: str, tree: ast.Module, relative_path: str) -> StorageFact | None:
        return storage_fact(text, tree, relative_path)

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        """Django settings keeping files on the local disk, when no settings module of the
        project configures (or lets the environment choose) another default storage: MEDIA_ROOT
        when the project stores uploads, else an explicit local default storage. One finding
        per settings module.

        Reads the facts each Python file recorded (`file_facts`, from its text and `ast`
        tree, cached with its results): no file is libcst-parsed for this project view.
        """
        yield from reached_findings(self, project)
        recorded = project.file_facts(self.code, StorageFact)
        if any(fact.other_backend for fact in recorded.values()):
            return
        uploads = any(fact.uploads for fact in recorded.values())
        for relative, fact in sorted(recorded.items()):
            path = project.display(project.root / relative)
            if uploads and fact.media_root is not None:
                row, column = fact.media_root
                yield self.make_finding(
                    path,
                    Location(row, column),
                    Location(row, column + len("MEDIA_ROOT")),
                    "Uploaded files (FileField/ImageField, request.FILES) are stored under MEDIA_ROOT "
                    "on the local disk and no remote storage backend is configured; set "
                    'STORAGES["default"] to object storage (django-storages)',
                )
            elif fact.local_default is not None:
                row, column, end_row, end_column = fact.local_default
                yield self.make_finding(
                    path,
                    Location(row, column),
                    Location(end_row, end_column),
                    "The default file storage is the local disk; use object storage",
                )
