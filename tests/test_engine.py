"""Engine behaviour: suppression, discovery, cache, parallelism, name resolution, positions."""

from __future__ import annotations

import ast
import json
import os
import random
import shutil
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from factorscan import api
from factorscan.core.discovery import Discovery, file_kind, find_project_root
from factorscan.core.positions import _locate_in_statements, locate
from factorscan.core.settings import Settings
from factorscan.python.imports import ImportTable, collect_module_scope
from factorscan.python.nodes import iter_children

from .conftest import REPO, run_cli

HANDLER = "import logging\nh = logging.FileHandler('a.log')\n"


def codes(root: Path, **kwargs) -> list[tuple[str, int, str]]:
    return [(f.path.split("/")[-1], f.location.row, f.code) for f in api.check([root], **kwargs).findings]


# -- suppression ---------------------------------------------------------------


def test_noqa_forms(project, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(
        {
            "app.py": """
            import logging
            a = logging.FileHandler("a.log")  # noqa
            b = logging.FileHandler("b.log")  # NOQA:FS1101
            c = logging.FileHandler("c.log")  # noqa: FS11
            d = logging.FileHandler("d.log")  # noqa: E501
            e = logging.FileHandler(  # noqa: FS1101
                "e.log",
            )
            f = dict(
                handler=logging.FileHandler("f.log"),
            )  # noqa: FS1101
            """,
            "quiet.py": "# factorscan: noqa\n" + HANDLER,
            "partly.py": "# factorscan: noqa: FS1102\n" + HANDLER,
        }
    )
    monkeypatch.chdir(root)
    assert codes(root) == [("app.py", 5, "FS1101"), ("app.py", 10, "FS1101"), ("partly.py", 3, "FS1101")]


def test_noqa_on_the_first_line_of_a_multiline_statement(project, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(
        {
            "app.py": """
            import logging
            logging.basicConfig(  # noqa: FS1101
                level=logging.INFO,
                filename="app.log",
            )
            """
        }
    )
    monkeypatch.chdir(root)
    assert codes(root) == []


# -- discovery -----------------------------------------------------------------


def test_project_root_markers(tmp_path: Path) -> None:
    (tmp_path / "svc" / "app" / "pkg").mkdir(parents=True)
    (tmp_path / "svc" / "requirements-dev.txt").write_text("pytest\n")
    assert find_project_root(tmp_path / "svc" / "app" / "pkg") == tmp_path / "svc"
    (tmp_path / "svc" / "app" / "setup.cfg").write_text("")
    assert find_project_root(tmp_path / "svc" / "app" / "pkg") == tmp_path / "svc" / "app"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("app.py", "python"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Procfile", "procfile"),
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("setup.cfg", "setup-cfg"),
        ("setup.py", "python"),
        ("gunicorn.conf.py", "python"),
        ("logging.ini", "ini"),
        ("docker-compose.yml", "compose"),
        ("README.md", None),
    ],
)
def test_file_kinds(name: str, kind: str | None) -> None:
    assert file_kind(Path(name)) == kind


def test_default_excludes_gitignore_and_symlinks(project) -> None:
    root = project(
        {
            "app.py": "",
            ".venv/lib/site.py": "",
            "node_modules/x.py": "",
            "build/gen.py": "",
            "src/__pycache__/c.py": "",
            "generated/out.py": "",
            "src/keep.py": "",
            "src/nested/.gitignore": "secret_*.py\n",
            "src/nested/secret_one.py": "",
            "src/nested/public.py": "",
            ".gitignore": "generated/\n",
        }
    )
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "outside.py").symlink_to("/etc/hostname")
    found = Discovery(Settings(project_root=root)).discover([root])
    names = sorted(item.path.relative_to(root).as_posix() for item in found)
    assert names == ["app.py", "src/keep.py", "src/nested/public.py"]


def test_a_directory_named_like_a_module(project) -> None:
    root = project({"weird.py/inner.py": HANDLER})
    assert [code for *_, code in codes(root)] == ["FS1101"]


# -- cache ---------------------------------------------------------------------


def test_cache_gives_the_same_findings_and_invalidates(project) -> None:
    root = project({"app.py": HANDLER, "b.py": "open('x.log', 'a')\n"})
    settings = api.settings_for(root)
    cold = api.check([root], settings=settings, use_cache=True).findings
    cache_files = list((root / ".factorscan_cache").glob("*.json"))
    assert len(cache_files) == 1
    warm = api.check([root], settings=settings, use_cache=True).findings
    assert warm == cold

    (root / "app.py").write_text("import logging\n")
    assert [f.code for f in api.check([root], settings=settings, use_cache=True).findings] == ["FS1102"]

    narrowed = api.settings_for(root, select=["FS1101"])
    assert api.check([root], settings=narrowed, use_cache=True).findings == []
    assert len(list((root / ".factorscan_cache").glob("*.json"))) == 2


@pytest.mark.parametrize(
    ("config", "edited"),
    [
        ("PORT = 5000\n", "import os\n\nPORT = int(os.environ['PORT'])\n"),
        (
            "class Config:\n    PORT = 5000\n",
            "import os\n\n\nclass Config:\n    PORT = int(os.environ['PORT'])\n",
        ),
    ],
)
def test_a_cached_result_that_read_another_module_follows_its_edits(
    project, config: str, edited: str
) -> None:
    """`app.py` is unchanged, but its finding came from `config.py`: editing that module must
    not serve app.py's old result from the cache."""
    importing = "from config import PORT\n" if config.startswith("PORT") else "from config import Config\n"
    port = "PORT" if config.startswith("PORT") else "Config.PORT"
    root = project(
        {
            "config.py": config,
            "app.py": f"from flask import Flask\n{importing}\napp = Flask(__name__)\napp.run(port={port})\n",
        }
    )
    settings = api.settings_for(root, select=["FS0701"])
    assert [Path(f.path).name for f in api.check([root], settings=settings, use_cache=True).findings] == [
        "app.py"
    ]
    (root / "config.py").write_text(edited)
    assert api.check([root], settings=settings, use_cache=True).findings == []
    (root / "config.py").write_text(config)
    assert [Path(f.path).name for f in api.check([root], settings=settings, use_cache=True).findings] == [
        "app.py"
    ]


def test_cached_project_listing_follows_new_files_and_gitignore_edits(project) -> None:
    """A file named alone is judged against the whole project; the cached listing of the
    project tree must notice a manifest added in a subfolder and a .gitignore edited in place."""
    root = project(
        {
            "requirements.txt": "flask\n",
            "app/main.py": "import requests\n",
            "deploy/requirements.txt": "requests\n",
            ".gitignore": "deploy/\n",
        }
    )
    main = root / "app" / "main.py"

    def undeclared() -> list[str]:
        settings = api.settings_for(root, select=["FS0201"])
        return [
            f.message.split("`")[1] for f in api.check([main], settings=settings, use_cache=True).findings
        ]

    assert undeclared() == ["requests"]  # deploy/ is ignored
    (cache_file,) = (root / ".factorscan_cache").glob("*.json")
    listed = json.loads(cache_file.read_text())["tree"]["files"]
    assert ["requirements.txt", "requirements"] in listed
    assert ["app/main.py", "python"] in listed
    assert undeclared() == ["requests"]  # from the cached listing
    gitignore = root / ".gitignore"
    stamp = os.stat(root).st_mtime_ns
    gitignore.write_text("# nothing ignored\n")  # in place: the folder's mtime stays
    assert os.stat(root).st_mtime_ns == stamp
    assert undeclared() == []
    (root / "deploy" / "requirements.txt").unlink()
    (root / "app" / "extra").mkdir()
    (root / "app" / "extra" / "requirements.txt").write_text("flask\n")
    assert undeclared() == ["requests"]


def test_corrupt_cache_is_ignored(project) -> None:
    root = project({"app.py": HANDLER})
    settings = api.settings_for(root)
    api.check([root], settings=settings, use_cache=True)
    for cache_file in (root / ".factorscan_cache").glob("*.json"):
        cache_file.write_text("{not json")
    assert [f.code for f in api.check([root], settings=settings, use_cache=True).findings] == ["FS1101"]


def _user_cache_env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}


def test_a_folder_that_is_no_project_is_cached_in_the_user_cache_folder(tmp_path: Path) -> None:
    # Like `factorscan /usr/lib/python3.12`: no pyproject, setup.py, requirements or .git up the tree.
    loose = tmp_path / "scripts"
    loose.mkdir()
    (loose / "app.py").write_text(HANDLER)
    env = _user_cache_env(tmp_path)
    first = run_cli("--format", "concise", loose, cwd=tmp_path, env=env)
    assert first.returncode == 1, first.stderr
    assert sorted(path.name for path in loose.iterdir()) == ["app.py"]  # nothing written there
    (folder,) = (tmp_path / "xdg" / "factorscan").iterdir()
    assert folder.name.startswith("scripts-")
    assert len(list(folder.glob("v*.json"))) == 1
    assert run_cli("--format", "concise", loose, cwd=tmp_path, env=env).stdout == first.stdout


def test_a_relative_xdg_cache_home_is_ignored_for_home_cache(tmp_path: Path) -> None:
    loose = tmp_path / "scripts"
    loose.mkdir()
    (loose / "app.py").write_text(HANDLER)
    env = {**_user_cache_env(tmp_path), "XDG_CACHE_HOME": "relative/cache"}
    assert run_cli(loose, cwd=tmp_path, env=env).returncode == 1
    assert not (tmp_path / "relative").exists()
    assert list((tmp_path / "home" / ".cache" / "factorscan").glob("scripts-*/v*.json"))


def test_a_project_keeps_its_cache_in_its_root(project, tmp_path: Path) -> None:
    root = project({"app.py": HANDLER})  # .git marks the root
    assert run_cli(root / "app.py", cwd=root, env=_user_cache_env(tmp_path)).returncode == 1
    assert len(list((root / ".factorscan_cache").glob("v*.json"))) == 1
    assert not (tmp_path / "xdg").exists()


def _install_copy(site: Path) -> Path:
    """factorscan's sources laid out as installed (analyzer/ -> factorscan/, checks/ -> factorscan/checks/)."""
    ignore = shutil.ignore_patterns("__pycache__")
    package = shutil.copytree(REPO / "analyzer", site / "factorscan", ignore=ignore)
    shutil.copytree(REPO / "checks", package / "checks", ignore=ignore)
    return package


def test_editing_a_rule_never_serves_results_of_the_old_code(project, tmp_path: Path) -> None:
    package = _install_copy(tmp_path / "site")
    env = {"PYTHONPATH": str(tmp_path / "site")}
    root = project({"app.py": "log = open('app.log', 'a')\n"})
    before = run_cli("--format", "concise", ".", cwd=root, env=env)
    assert "FS1102 The app writes its own log file" in before.stdout, before.stderr
    rule = package / "checks" / "logs" / "log_file_write.py"
    rule.write_text(rule.read_text().replace("The app writes its own log file", "Edited message"))
    after = run_cli("--format", "concise", ".", cwd=root, env=env)
    assert "FS1102 Edited message; log to stdout instead" in after.stdout, after.stderr
    # The old code's results are gone from the cache folder, not kept forever.
    assert len(list((root / ".factorscan_cache").glob("v*.json"))) == 1


# -- parallelism -----------------------------------------------------------------


def test_process_pool_matches_a_single_process(project) -> None:
    files = {f"pkg/mod{i}.py": HANDLER if i % 3 else "x = 1\n" for i in range(60)}
    files["pkg/broken.py"] = "def f(:\n"
    root = project(files)
    serial = api.check([root], jobs=1).findings
    parallel = api.check([root], jobs=2).findings
    assert serial == parallel
    assert len(serial) == 41


# -- name resolution ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expression", "expected"),
    [
        ("import logging.handlers as lh", "lh.RotatingFileHandler", "logging.handlers.RotatingFileHandler"),
        (
            "import logging.handlers",
            "logging.handlers.WatchedFileHandler",
            "logging.handlers.WatchedFileHandler",
        ),
        ("from logging import FileHandler as FH", "FH", "logging.FileHandler"),
        ("from os import path", "path.join", "os.path.join"),
        ("from . import views", "views.x", ".views.x"),
        ("", "open", "builtins.open"),
        ("def open(): pass", "open", None),
        ("import logging\nHandler = logging.FileHandler", "Handler", "logging.FileHandler"),
    ],
)
def test_import_table(source: str, expression: str, expected: str | None) -> None:
    module = cst.parse_module(source + "\n")
    table = ImportTable()
    collect_module_scope(module, table)
    for statement in module.body:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if isinstance(small, cst.Assign) and isinstance(small.value, (cst.Name, cst.Attribute)):
            table.add_alias(small.targets[0].target.value, small.value)
    assert table.resolve(cst.parse_expression(expression)) == expected


# -- positions -----------------------------------------------------------------------


def _all_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    nodes = [node]
    for child in iter_children(node):
        nodes.extend(_all_nodes(child))
    return nodes


@pytest.mark.parametrize("module_name", ["argparse", "logging/__init__", "dataclasses", "typing"])
def test_positions_match_libcst_position_provider(module_name: str) -> None:
    """The cheap position pass agrees with PositionProvider on real code."""
    path = Path(os.__file__).parent / f"{module_name}.py"
    text = path.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = random.Random(module_name).sample(_all_nodes(module)[1:], 400)
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    whole = locate(module, nodes, text)
    # The statement-by-statement pass must agree, given each node's top-level statement.
    statement_of = {node: top for top in module.body for node in _all_nodes(top)}
    scoped = locate(
        module, nodes, text, line_starts=starts[:-1], tree=ast.parse(text), statement_of=statement_of
    )
    for spans in (whole, scoped):
        for node in nodes:
            position = expected[node]
            span = spans[node]
            assert span.start == starts[position.start.line - 1] + position.start.column, type(node).__name__
            assert span.end == starts[position.end.line - 1] + position.end.column, type(node).__name__
    assert whole == scoped
    # ...and it really is the statement-by-statement pass, not its fallback.
    assert (
        _locate_in_statements(
            module,
            set(nodes),
            text=text,
            line_starts=starts[:-1],
            tree=ast.parse(text),
            statement_of=statement_of,
        )
        == scoped
    )


def test_a_folder_named_on_the_command_line_is_scanned_even_if_ignored(project) -> None:
    root = project(
        {
            ".gitignore": "vendor/\n",
            "vendor/lib/mod.py": HANDLER,
            "vendor/lib/build/gen.py": HANDLER,
            "venv/lib/site.py": HANDLER,
        }
    )
    assert codes(root) == []
    assert codes(root / "vendor" / "lib") == [("mod.py", 2, "FS1101")]
    assert codes(root / "venv") == [("site.py", 2, "FS1101")]


def test_gitignore_negation_and_anchored_patterns(project) -> None:
    root = project(
        {
            ".gitignore": "*.py\n!keep.py\n/top_only/\n",
            "keep.py": HANDLER,
            "drop.py": HANDLER,
            "top_only/x.log.ini": "",
            "nested/top_only/keep.py": HANDLER,
        }
    )
    found = Discovery(Settings(project_root=root)).discover([root])
    assert sorted(item.path.relative_to(root).as_posix() for item in found) == [
        "keep.py",
        "nested/top_only/keep.py",
    ]


def test_settings_dependent_triggers_reach_the_prefilter(project) -> None:
    """`secret-names` adds names FS0301 knows only from the settings; the prefilter must not skip them."""
    files = {"app.py": 'CARD_PIN = "4839-2211-9902"\n'}
    root = project(files)
    assert codes(root, select=["FS0301"]) == []
    (root / "pyproject.toml").write_text('[tool.factorscan]\nsecret-names = ["pin"]\n')
    assert codes(root, select=["FS0301"]) == [("app.py", 1, "FS0301")]
