"""FS0601's edges, each with the code on both sides (checks/processes/local_upload_storage.py):
what the byte prefilter lets through, which bindings make a name an upload, when a string is a
path, and where a write outside any handler counts. Kept out of the rule's examples so the rule
module keeps its room for the code it grows."""

from __future__ import annotations

from pathlib import Path

from factorscan import api

LOST = "on the local disk; the file is lost with the container and invisible to other processes"


def _findings(project, files: dict[str, str]) -> list[tuple[str, int, str]]:
    root = project(files)
    result = api.check([root], select=["FS0601"])
    assert result.errors == []
    return sorted((Path(f.path).name, f.location.row, f.message) for f in result.findings)


def test_request_files_and_upload_file_alone_let_a_save_through_the_prefilter(project) -> None:
    """`.save(` with no other upload word than `FILES` (Django) or `UploadFile` (FastAPI)."""
    django_view = """\
import openpyxl
from django.http import HttpResponse


def import_sheet(request):
    book = openpyxl.load_workbook(request.FILES["sheet"])
    book.save(f"/srv/shop/sheets/{request.user.pk}.xlsx")
    return HttpResponse(status=204)
"""
    fastapi_app = """\
import openpyxl
from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/sheets")
def import_sheet(sheet: UploadFile):
    book = openpyxl.load_workbook(sheet.file)
    book.save(f"/srv/shop/sheets/{sheet.filename}")
"""
    assert _findings(project, {"shop/views.py": django_view, "api.py": fastapi_app}) == [
        ("api.py", 10, f"Request handler `import_sheet` saves a file {LOST}"),
        ("views.py", 7, f"Request handler `import_sheet` saves a file {LOST}"),
    ]


def test_writes_outside_handlers_count_under_an_upload_location_only(project) -> None:
    storage = """\
from django.core.files.storage.filesystem import FileSystemStorage

documents = FileSystemStorage(location="/srv/shop/documents")
"""
    helpers = """\
def keep(name, data):
    with open("media/" + name, "wb") as out:
        out.write(data)


def export(rows):
    with open("exports/report.csv", "w") as out:
        out.writelines(rows)
"""
    assert _findings(project, {"shop/storage.py": storage, "shop/files.py": helpers}) == [
        (
            "files.py",
            2,
            "This code writes a file under 'media/' on the local disk, where uploads are lost with the "
            "container and invisible to other processes; use object storage",
        ),
        (
            "storage.py",
            3,
            "FileSystemStorage keeps files on the local disk of one process; use object storage (django-storages)",
        ),
    ]


def test_what_a_handler_saves_and_where(project) -> None:
    """An upload known by its binding (an assignment, a loop), a file whose destination is a path
    (a string with a slash or an extension, a name that says path), and the message of each."""
    app = """\
import threading

from flask import Flask, request
from PIL import Image
from werkzeug.utils import secure_filename

from shop import settings

app = Flask(__name__)
lock = threading.Lock()


@app.post("/documents")
def documents():
    document = request.files["document"]
    document.save(secure_filename(document.filename))
    for photo in request.files.getlist("photos"):
        photo.save(build_target(photo.filename))
    return "", 204


@app.post("/thumbnails")
def thumbnails():
    image = Image.open(request.files["image"])
    with lock:
        image.save("thumbnail.png")
    image.save("/srv/shop/thumbnails/latest", format="PNG")
    image.save(settings.THUMBNAIL_PATH)
    return "", 204


@app.post("/avatar")
def avatar():
    upload = request.files["avatar"]
    upload.save(settings.MEDIA_ROOT + "/" + upload.filename)
    with (settings.MEDIA_ROOT / "avatars.txt").open("r") as names:
        return names.read()
"""
    assert _findings(project, {"app.py": app}) == [
        ("app.py", 16, f"Request handler `documents` saves an upload {LOST}"),
        ("app.py", 18, f"Request handler `documents` saves an upload {LOST}"),
        ("app.py", 26, f"Request handler `thumbnails` saves a file {LOST}"),
        ("app.py", 27, f"Request handler `thumbnails` saves a file {LOST}"),
        ("app.py", 28, f"Request handler `thumbnails` saves a file {LOST}"),
        ("app.py", 35, f"Request handler `avatar` saves an upload under MEDIA_ROOT {LOST}"),
    ]


def test_a_form_save_without_a_destination_is_no_file_write(project) -> None:
    view = """\
from django.shortcuts import redirect, render


def upload_document(request):
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        form.save()
        return redirect("documents")
    return render(request, "upload.html", {"form": form})
"""
    assert _findings(project, {"documents/views.py": view}) == []
