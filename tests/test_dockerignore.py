""".dockerignore matching (Docker's documented examples and moby's pattern rules) and build contexts."""

from __future__ import annotations

from pathlib import Path

import pytest

from factorscan.core.discovery import kind_of_name
from factorscan.deploy.dockerfile import parse
from factorscan.deploy.dockerignore import (
    BuildContext,
    DockerIgnore,
    Pattern,
    clean,
    guess_context,
    read_patterns,
)

from .conftest import write_project


def excluded(patterns: str, path: str) -> bool:
    return DockerIgnore.parse(patterns).excluded(path)


# -- the examples of the Dockerfile reference (".dockerignore file") --------------------------

DOCUMENTED = "# comment\n*/temp*\n*/*/temp*\ntemp?\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("somedir/temporary.txt", True),  # */temp*: names starting with temp one level down
        ("somedir/temp", True),
        ("somedir/temp/inside.txt", True),  # a matched folder takes what is below it
        ("somedir/subdir/temporary.txt", True),  # */*/temp*: two levels down
        ("tempa", True),  # temp?: one more character, at the root
        ("tempb", True),
        ("temp", False),
        ("tempab", False),
        ("temporary.txt", False),  # */temp* needs a folder above
        ("a/b/c/temp.txt", False),  # three levels down: no pattern reaches it
        ("# comment", False),
    ],
)
def test_documented_examples(path: str, expected: bool) -> None:
    assert excluded(DOCUMENTED, path) is expected


def test_double_star_matches_any_number_of_folders() -> None:
    assert excluded("**/*.go", "main.go")
    assert excluded("**/*.go", "cmd/tool/main.go")
    assert not excluded("**/*.go", "main.golang")
    assert excluded("a/**/b", "a/b")
    assert excluded("a/**/b", "a/x/y/b/file")
    assert excluded("build/**", "build/x/y")
    assert not excluded("build/**", "builder")


@pytest.mark.parametrize(
    ("patterns", "included", "excluded_paths"),
    [
        # All markdown files at the top except README.md.
        ("*.md\n!README.md\n", ["README.md", "docs/guide.md"], ["CHANGES.md"]),
        # No markdown except README files other than README-secret.md.
        (
            "*.md\n!README*.md\nREADME-secret.md\n",
            ["README.md", "README-dev.md"],
            ["README-secret.md", "x.md"],
        ),
        # The last line wins: README-secret.md is back in.
        ("*.md\nREADME-secret.md\n!README*.md\n", ["README-secret.md", "README.md"], ["x.md"]),
    ],
)
def test_exceptions_later_lines_win(patterns: str, included: list[str], excluded_paths: list[str]) -> None:
    for path in included:
        assert not excluded(patterns, path), path
    for path in excluded_paths:
        assert excluded(patterns, path), path


def test_exception_inside_an_excluded_folder() -> None:
    patterns = "docs\n!docs/api.md\n"
    assert excluded(patterns, "docs/index.md")
    assert not excluded(patterns, "docs/api.md")
    # An exception does not re-include a file whose parent a later line excludes again.
    assert excluded("secrets\n!secrets/public.pem\nsecrets\n", "secrets/public.pem")


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("/foo/bar", "foo/bar"),  # leading slash: relative to the context anyway
        ("./foo/bar/", "foo/bar"),
        ("foo//bar", "foo/bar"),
        ("foo/../bar", "bar"),
        ("  spaced  ", "spaced"),
        ("!  /keep", "keep"),
        ("/", "/"),
    ],
)
def test_preprocessing_cleans_patterns(line: str, pattern: str) -> None:
    [(_, cleaned, _)] = read_patterns(line + "\n")
    assert cleaned == pattern


def test_leading_slash_and_dot_slash_are_the_same_pattern() -> None:
    for patterns in ("/secrets", "./secrets", "secrets/", "secrets"):
        assert excluded(patterns, "secrets/key.pem")
        assert not excluded(patterns, "app/secrets/key.pem"), "patterns anchor at the context root"


def test_comments_blank_lines_and_crlf() -> None:
    text = "\ufeff# a comment\r\n\r\n   \r\n.env\r\n  # not a comment: a pattern\r\n"
    ignore = DockerIgnore.parse(text)
    assert [pattern.text for pattern in ignore.patterns] == [".env", "# not a comment: a pattern"]
    assert ignore.excluded(".env")
    assert [pattern.row for pattern in ignore.patterns] == [4, 5]


def test_dot_matches_nothing_and_the_root_is_never_excluded() -> None:
    assert not excluded(".\n", "app.py")
    assert not excluded("*\n", ".")
    assert excluded("*\n", "app.py")


def test_wildcards_do_not_cross_slashes() -> None:
    assert excluded("*.pyc", "x.pyc")
    assert not excluded("*.pyc", "pkg/x.pyc"), "unlike .gitignore, *.pyc only matches at the top"
    assert excluded("pkg/?.pyc", "pkg/x.pyc")
    assert not excluded("pkg/?.pyc", "pkg/xy.pyc")
    assert excluded("[a-c]*.log", "b1.log")
    assert not excluded("[a-c]*.log", "d1.log")
    assert excluded("[^a]*.log", "b.log")
    assert not excluded("[^a]*.log", "a.log")


def test_escapes_and_regex_characters_are_literal() -> None:
    assert excluded("file\\*.txt", "file*.txt")
    assert not excluded("file\\*.txt", "file1.txt")
    assert excluded("a+b(1).txt", "a+b(1).txt")
    assert not excluded("a.txt", "abtxt")
    assert excluded("cost$.txt", "cost$.txt")


def test_suffix_patterns_follow_moby() -> None:
    # `**/foo` is a suffix match in moby: any path ending in /foo, or foo itself.
    pattern = Pattern.compile("**/foo")
    assert pattern.kind == "suffix"
    assert pattern.matches("foo")
    assert pattern.matches("a/b/foo")
    assert not pattern.matches("a/barfoo")
    assert Pattern.compile("**").matches("anything/at/all")
    assert Pattern.compile("build/**").kind == "prefix"


def test_bad_patterns_are_problems_not_exceptions() -> None:
    ignore = DockerIgnore.parse("!\n[unclosed\n.env\n")
    assert [row for row, _ in ignore.problems] == [1, 2]
    assert 'illegal exclusion pattern: "!"' in ignore.problems[0][1]
    assert ignore.excluded(".env")


def test_matching_line_names_the_deciding_pattern() -> None:
    ignore = DockerIgnore.parse("*.pem\n!public.pem\n")
    line = ignore.matching_line("public.pem")
    assert line is not None
    assert line.row == 2
    assert line.exception
    assert ignore.matching_line("app.py") is None


def test_clean_like_go() -> None:
    assert clean("") == "."
    assert clean("//a//b/") == "/a/b"
    assert clean("a/./b/../c") == "a/c"


# -- build contexts -------------------------------------------------------------------------------


def test_build_context_files_and_copies(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            ".dockerignore": ".git\n*.pem\n!certs/public.pem\nnode_modules\n**/__pycache__\n",
            "app/main.py": "",
            "app/__pycache__/main.cpython-312.pyc": "",
            "app/settings.py": "",
            ".env": "SECRET=1\n",
            "server.pem": "",
            "certs/public.pem": "",
            "certs/private.pem": "",
            "node_modules/x/index.js": "",
            "requirements.txt": "",
            ".git/config": "",
        },
    )
    context = BuildContext.load(root)
    assert context.ignore_file == root / ".dockerignore"
    assert context.files() == [
        ".dockerignore",
        ".env",
        "app/main.py",
        "app/settings.py",
        "certs/private.pem",
        "certs/public.pem",
        "requirements.txt",
    ]
    # `*.pem` only matches at the top, so certs/private.pem is sent.
    assert context.copied(".") == context.files()
    assert context.copied("app/") == ["app/main.py", "app/settings.py"]
    assert context.copied("./certs/*.pem") == ["certs/private.pem", "certs/public.pem"]
    assert context.copied("requirements*.txt") == ["requirements.txt"]
    assert context.copied("https://example.com/x.tar.gz") == []
    assert context.sends(".", ".env")
    assert not context.sends(".", "server.pem")
    assert context.sends("/app", "app/main.py")
    assert not context.sends("app", "requirements.txt")
    assert context.relative(root / "app" / "main.py") == "app/main.py"
    assert context.relative(tmp_path.parent) is None


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            ".dockerignore": "*.md\n",
            "docker/web.Dockerfile": "FROM python:3.12-slim\n",
            "docker/web.Dockerfile.dockerignore": ".env\n",
            ".env": "",
            "README.md": "",
        },
    )
    context = BuildContext.load(root, root / "docker" / "web.Dockerfile")
    assert context.ignore_file == root / "docker" / "web.Dockerfile.dockerignore"
    assert context.excluded(".env")
    assert not context.excluded("README.md")
    assert BuildContext.load(root, root / "Dockerfile").excluded("README.md")


def test_context_without_an_ignore_file(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"a.py": "", "sub/b.py": ""})
    context = BuildContext.load(root)
    assert context.ignore_file is None
    assert context.files() == ["a.py", "sub/b.py"]


def test_symlinks_are_sent_but_not_followed(tmp_path: Path) -> None:
    root = write_project(tmp_path / "ctx", {"real/a.txt": ""})
    (root / "link").symlink_to(root / "real")
    (root / "loop").symlink_to(root)
    assert BuildContext.load(root).files() == ["link", "loop", "real/a.txt"]


def test_guess_context(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "requirements.txt": "",
            "app/main.py": "",
            "docker/Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY app/ /srv/app/\n",
            "services/api/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
            "services/api/main.py": "",
            "deploy/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
        },
    )

    def guess(relative: str, declared: list[tuple[Path, Path]] | None = None) -> Path:
        path = root / relative
        return guess_context(path, parse(path.read_text()), root, declared or [])

    assert guess("docker/Dockerfile") == root  # `docker build -f docker/Dockerfile .`
    assert guess("services/api/Dockerfile") == root / "services" / "api"
    assert guess("deploy/Dockerfile") == root / "deploy"  # nothing tells: its own folder
    declared = [(root / "deploy" / "Dockerfile", root)]
    assert guess("deploy/Dockerfile", declared) == root  # a compose file says so


def test_dockerfile_specific_ignore_files_are_not_dockerfiles() -> None:
    assert kind_of_name("Dockerfile.dockerignore", "docker") == "dockerignore"
    assert kind_of_name("web.Dockerfile.dockerignore", "docker") == "dockerignore"
    assert kind_of_name(".dockerignore", "") == "dockerignore"
    assert kind_of_name("Dockerfile.prod", "") == "dockerfile"
