"""FS0601 says what a handler writes and where: an upload (a loop over `request.files`) or
a file, under the upload folder it is built from (checks/processes/local_upload_storage.py)."""

from __future__ import annotations

from factorscan import api

APP = """\
import os

from flask import Flask, request
from PIL import Image

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = "/srv/shop/uploads"


@app.post("/photos")
def photos():
    for photo in request.files.getlist("photos"):
        photo.save(os.path.join(app.config["UPLOAD_FOLDER"], photo.filename))
    return "", 204


@app.post("/charts")
def chart(report_path):
    Image.new("RGB", (640, 480)).save(dst=report_path)
    with open("media/" + request.form["name"], "wb") as out:
        out.write(request.data)
    return "", 204


def keep(data, name):
    with open("static/uploads/" + name, "wb") as out:
        out.write(data)
"""

LOST = "on the local disk; the file is lost with the container and invisible to other processes"


def test_the_message_says_what_is_written_and_under_which_upload_folder(project) -> None:
    root = project({"app.py": APP})
    findings = api.check([root], select=["FS0601"]).findings
    assert [(f.location.row, f.message) for f in findings] == [
        (13, f"Request handler `photos` saves an upload under UPLOAD_FOLDER {LOST}"),
        (19, f"Request handler `chart` saves a file {LOST}"),
        (20, f"Request handler `chart` writes a file under 'media/' {LOST}"),
        (
            26,
            "This code writes a file under 'static/uploads/' on the local disk, where uploads are lost "
            "with the container and invisible to other processes; use object storage",
        ),
    ]
