"""Handler-scoped rules follow calls from request handlers and start-up hooks into first-party
helpers of other modules (fixtures/reach_through_calls, described in its README): the depth
bound on both sides, cycles, unreached helpers, and the per-file facts behind the call graph
in a warm cache."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .conftest import FIXTURES, run_cli

APP = FIXTURES / "reach_through_calls"
SELECT = "FS0601,FS0602,FS1201"


def _findings(root: Path, *args: str) -> set[tuple[str, int, str, str]]:
    result = run_cli(*args, "--format", "json", "--select", SELECT, ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return {
        (item["filename"], item["location"]["row"], item["code"], item["message"])
        for item in json.loads(result.stdout)
    }


def _reached(findings: set[tuple[str, int, str, str]]) -> dict[tuple[str, int, str], str]:
    """(file, row, code) -> the phrase naming the handler that reaches it."""
    found = {}
    for path, row, code, message in findings:
        match = re.search(r"reached from `[\w.]+` in [\w/.]+:\d+", message)
        assert match is not None, message
        found[(path, row, code)] = match.group(0)
    return found


def test_effects_in_helpers_are_reported_where_a_handler_reaches_them() -> None:
    assert _reached(_findings(APP, "--no-cache")) == {
        # upload -> service.handle -> storage.prepare -> storage.store: 3 calls
        ("shop/storage.py", 11, "FS0601"): "reached from `upload` in shop/main.py:17",
        # join -> service.remember -> state.track
        ("shop/state.py", 7, "FS0602"): "reached from `join` in shop/main.py:28",
        # ping -> service.ping -> state.even <-> state.odd: the cycle ends
        ("shop/state.py", 17, "FS0602"): "reached from `ping` in shop/main.py:34",
        # the app factory -> db.init_db
        ("shop/db.py", 9, "FS1201"): "reached from `create_app` in shop/main.py:7",
    }
    # Not reported: storage.dump (4 calls from `archive`), storage.export and the
    # state.spin <-> state.spun cycle (no handler calls them).


def test_a_changed_helper_is_reanalysed_and_the_others_come_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    (root / ".git").mkdir()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    cold = _findings(root, *cache)
    assert len(cold) == 4

    # `archive` now calls storage.compress itself: storage.dump is 3 calls away.
    service = root / "shop" / "service.py"
    text = service.read_text()
    service.write_text(
        text.replace(
            "from shop.storage import pack, prepare", "from shop.storage import compress, prepare"
        ).replace("    pack(upload.filename, upload.read())", "    compress(upload.filename, upload.read())")
    )
    warm = run_cli(*cache, "--profile", "--format", "json", "--select", SELECT, ".", cwd=root)
    reached = _reached(
        {(i["filename"], i["location"]["row"], i["code"], i["message"]) for i in json.loads(warm.stdout)}
    )
    assert reached[("shop/storage.py", 25, "FS0601")] == "reached from `archive` in shop/main.py:22"
    assert len(reached) == 5
    # service.py triggers no rule's libcst traversal: only its ast facts were read again,
    # and the files holding the effects were served from the cache.
    assert re.search(r"files parsed \(ast\)\s+1\n", warm.stderr), warm.stderr
    assert "files parsed (libcst)" not in warm.stderr

    # storage.prepare no longer calls store: the write in store is no longer reached.
    storage = root / "shop" / "storage.py"
    storage.write_text(storage.read_text().replace("return store(name.replace", "return (name.replace"))
    rows = {(path, row) for path, row, _, _ in _findings(root, *cache)}
    assert ("shop/storage.py", 11) not in rows
    assert ("shop/storage.py", 25) in rows


def test_a_helper_called_from_start_up_hooks(tmp_path: Path) -> None:
    """Django AppConfig.ready, a FastAPI lifespan and a gunicorn post_fork hook reach migrations."""
    root = tmp_path / "app"
    files = {
        "shop/apps.py": (
            "from django.apps import AppConfig\n\nfrom shop.tasks import sync\n\n\n"
            "class ShopConfig(AppConfig):\n    name = 'shop'\n\n    def ready(self):\n        sync()\n"
        ),
        "shop/tasks.py": (
            "from django.core.management import call_command\n\n\n"
            "def sync():\n    call_command('migrate')\n\n\n"
            "def upgrade():\n    call_command('migrate', 'shop')\n\n\n"
            "def cli_only():\n    call_command('migrate')\n"
        ),
        "shop/asgi.py": (
            "from contextlib import asynccontextmanager\n\nfrom fastapi import FastAPI\n\n"
            "from shop import tasks\n\n\n@asynccontextmanager\nasync def lifespan(app):\n"
            "    tasks.upgrade()\n    yield\n\n\napi = FastAPI(lifespan=lifespan)\n"
        ),
        "gunicorn.conf.py": "from shop.tasks import cli_only\n\n\ndef post_fork(server, worker):\n    cli_only()\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".git").mkdir()
    assert _reached(_findings(root, "--no-cache")) == {
        ("shop/tasks.py", 5, "FS1201"): "reached from `ShopConfig.ready` in shop/apps.py:9",
        ("shop/tasks.py", 9, "FS1201"): "reached from `lifespan` in shop/asgi.py:9",
        ("shop/tasks.py", 13, "FS1201"): "reached from `post_fork` in gunicorn.conf.py:4",
    }
    # Without the hook, the same helper is silent.
    (root / "gunicorn.conf.py").write_text(
        "from shop.tasks import cli_only\n\n\ndef other(server):\n    cli_only()\n"
    )
    assert ("shop/tasks.py", 13) not in {(path, row) for path, row, _, _ in _findings(root, "--no-cache")}


def test_view_classes_reach_helpers_and_other_classes_do_not(tmp_path: Path) -> None:
    """Methods of a view class (a framework base, or a first-party base named like a view in
    web code) are request handlers; a django-import-export resource's methods are not."""
    root = tmp_path / "app"
    (root / "shop").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "shop" / "files.py").write_text(
        "def keep(name, data):\n    with open(name, 'wb') as out:\n        out.write(data)\n\n\n"
        "def stash(name, data):\n    with open(name, 'wb') as out:\n        out.write(data)\n\n\n"
        "def load(name, data):\n    with open(name, 'wb') as out:\n        out.write(data)\n"
    )
    (root / "shop" / "views.py").write_text(
        "from django.views.generic import View\nfrom import_export.resources import ModelResource\n\n"
        "from shop.base import BaseView\nfrom shop.files import keep, load, stash\n\n\n"
        "class Upload(View):\n    def post(self, request):\n        keep('a', request.body)\n\n\n"
        "class Stash(BaseView):\n    def put(self, request):\n        stash('b', request.body)\n\n\n"
        "class Rows(ModelResource):\n    def before_import(self, dataset):\n        load('c', dataset)\n"
    )
    rows = {(path, row): message for path, row, _, message in _findings(root, "--no-cache")}
    assert set(rows) == {("shop/files.py", 2), ("shop/files.py", 7)}
    assert "reached from `Upload.post` in shop/views.py:9" in rows[("shop/files.py", 2)]
    assert "reached from `Stash.put` in shop/views.py:14" in rows[("shop/files.py", 7)]
