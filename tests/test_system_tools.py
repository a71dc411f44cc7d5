"""FS0202 undeclared-system-tool: what the image has (base images, every install route), what the
code runs (subprocess, shell strings, os, sh, plumbum, which), and the rule through the API and CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from factorscan import api
from factorscan.deploy.dockerfile import ImageRef, parse
from factorscan.deploy.system_tools import BINARIES, TOOLS, base_image, image_tools, package_binaries

from .conftest import FIXTURES, run_cli

SLIM = "FROM python:3.12-slim\nCOPY . /app\n"


def provided(dockerfile: str, **options: object) -> set[str]:
    tools = image_tools(parse(dockerfile), **options)  # type: ignore[arg-type]
    assert tools.known, tools.opaque
    return tools.provided


def reported(root: Path, *paths: str) -> list[tuple[str, int, str]]:
    """(file, row, tool) of each FS0202 finding."""
    result = api.check([root / path for path in paths] or [root], select=["FS0202"])
    assert not result.errors, result.errors
    found = []
    for finding in result.findings:
        match = re.match(r"`([^`]+)`", finding.message)
        assert match, finding.message
        found.append(
            (
                Path(finding.path).resolve().relative_to(root.resolve()).as_posix(),
                finding.location.row,
                match.group(1),
            )
        )
    return found


# -- the tables ----------------------------------------------------------------------------------


def test_every_binary_belongs_to_one_tool() -> None:
    seen: dict[str, int] = {}
    for tool in TOOLS:
        for binary in tool.binaries:
            seen[binary] = seen.get(binary, 0) + 1
        assert tool.apt, tool
    assert all(count == 1 for count in seen.values()), seen
    assert set(BINARIES) == set(seen)


@pytest.mark.parametrize(
    ("package", "binaries"),
    [
        ("ffmpeg", {"ffmpeg", "ffprobe"}),
        ("postgresql-client", {"psql", "pg_dump"}),
        ("postgresql-client-16", {"psql", "pg_dump"}),
        ("postgresql16-client", {"psql", "pg_dump"}),
        ("imagemagick", {"convert", "magick"}),
        ("ImageMagick", {"convert", "magick"}),
        ("libreoffice-writer", {"soffice", "libreoffice"}),
        ("default-jre-headless", {"java"}),
        ("openjdk-17-jre-headless", {"java"}),
        ("java-17-openjdk-headless", {"java"}),
        ("nodejs", {"node", "npm"}),
        ("tesseract-ocr", {"tesseract"}),
        ("default-mysql-client", {"mysqldump"}),
        ("mariadb-client", {"mysqldump"}),
        ("wkhtmltox", {"wkhtmltopdf"}),
        ("poppler-utils", {"pdftotext", "pdftoppm"}),
    ],
)
def test_packages_map_to_the_tools_they_install(package: str, binaries: set[str]) -> None:
    assert binaries <= package_binaries(package)


def test_packages_that_do_not_install_a_tool() -> None:
    for package in ("libpq-dev", "libpq5", "postgresql-dev", "libmagickwand-dev", "python3-dev", "gcc"):
        assert package_binaries(package) == set(), package


@pytest.mark.parametrize(
    ("image", "family", "ships", "lacks"),
    [
        (
            "python:3.12",
            "debian",
            {"curl", "wget", "git", "convert", "ssh", "ps"},
            {"ffmpeg", "psql", "node"},
        ),
        ("python:3.12-bookworm", "debian", {"curl", "git"}, {"ffmpeg"}),
        ("python", "debian", {"curl"}, {"ffmpeg"}),
        ("python:3.12-slim", "debian", set(), {"curl", "wget", "git", "ps", "convert"}),
        ("python:3.11-slim-bookworm", "debian", set(), {"curl"}),
        ("python:3.12-alpine", "alpine", {"wget", "nc", "unzip", "ps"}, {"curl", "git", "convert"}),
        ("alpine:3.20", "alpine", {"wget"}, {"curl"}),
        ("pypy:3.10-slim", "debian", set(), {"curl"}),
        ("docker.io/library/python:3.12-slim", "debian", set(), {"curl"}),
        ("public.ecr.aws/docker/library/python:3.12", "debian", {"curl"}, {"ffmpeg"}),
        ("gcr.io/distroless/python3-debian12", "distroless", set(), {"curl", "wget", "ps"}),
        ("debian:bookworm-slim", "debian", set(), {"curl", "ps"}),
        ("ubuntu:24.04", "debian", {"ps"}, {"curl"}),
        ("buildpack-deps:bookworm-curl", "debian", {"curl", "wget"}, {"git"}),
        ("buildpack-deps:bookworm-scm", "debian", {"curl", "git"}, {"convert"}),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "debian", set(), {"curl", "git"}),
        ("ghcr.io/astral-sh/uv:python3.12-alpine", "alpine", {"wget"}, {"curl"}),
    ],
)
def test_base_images(image: str, family: str, ships: set[str], lacks: set[str]) -> None:
    base = base_image(ImageRef.parse(image))
    assert base is not None
    assert base.family == family
    assert ships <= base.ships
    assert not lacks & base.ships


@pytest.mark.parametrize(
    "image",
    [
        "mycorp/python:3.12",
        "ghcr.io/acme/base:1.0",
        "node:20",
        "python:3.12-windowsservercore",
        "jrottenberg/ffmpeg",
    ],
)
def test_unknown_base_images(image: str) -> None:
    assert base_image(ImageRef.parse(image)) is None


# -- what a Dockerfile's final image has, per install route ------------------------------------


@pytest.mark.parametrize(
    ("run", "tools"),
    [
        (
            "apt-get update && apt-get install -y --no-install-recommends ffmpeg postgresql-client",
            {"ffmpeg", "psql"},
        ),
        ("apt-get -o Acquire::Retries=3 install -y -q imagemagick=8:6.9.11.60+dfsg-1.6", {"convert"}),
        ("apt install -y tesseract-ocr tesseract-ocr-deu", {"tesseract"}),
        ("/bin/bash -c 'apt-get update && apt-get install -y git'", {"git"}),
        ("dnf install -y ImageMagick && dnf clean all", {"convert"}),
        ("microdnf install -y postgresql", {"pg_dump"}),
        ("yum -y install wkhtmltopdf", {"wkhtmltopdf"}),
        ("zypper --non-interactive install ffmpeg", {"ffmpeg"}),
        (
            "curl -fsSL -o /tmp/w.deb https://x/wkhtmltox_0.12.6.1-3.bookworm_amd64.deb && dpkg -i /tmp/w.deb",
            set(),
        ),
        ("apt-get install -y ./wkhtmltox_0.12.6.1-3.bookworm_amd64.deb", {"wkhtmltopdf"}),
        ("dpkg -i /tmp/wkhtmltox_0.12.6-1.buster_amd64.deb", {"wkhtmltopdf"}),
    ],
)
def test_debian_installs(run: str, tools: set[str]) -> None:
    assert tools <= provided(f"FROM python:3.12-slim\nRUN {run}\n")


def test_package_names_with_a_variable_part() -> None:
    dockerfile = (
        "ARG PG_MAJOR=16\nFROM python:3.12-slim\nRUN apt-get install -y postgresql-client-${PG_MAJOR}\n"
    )
    assert "pg_dump" in provided(dockerfile)


def test_alpine_installs_and_virtual_packages() -> None:
    found = provided(
        "FROM python:3.12-alpine\n"
        "RUN apk add --no-cache ffmpeg \\\n"
        " && apk add --no-cache --virtual .build-deps gcc curl \\\n"
        " && pip install -r requirements.txt \\\n"
        " && apk del .build-deps\n"
    )
    assert "ffmpeg" in found
    assert "curl" not in found, "removed with its virtual package"


def test_removals() -> None:
    assert "curl" not in provided(
        "FROM python:3.12-slim\nRUN apt-get install -y curl\nRUN apt-get purge -y curl\n"
    )
    assert "git" not in provided(
        "FROM python:3.12-slim\nRUN apt-get install -y git && pip install x && apt-get remove -y git\n"
    )
    # The official images' idiom: mark everything automatic, then autoremove.
    idiom = (
        "FROM python:3.12-slim\n"
        'RUN set -eux; savedAptMark="$(apt-mark showmanual)"; apt-get update; \\\n'
        "    apt-get install -y --no-install-recommends curl; curl -o /tmp/x https://x; \\\n"
        "    apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; \\\n"
        "    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false\n"
        "RUN apt-get install -y ffmpeg\n"
    )
    found = provided(idiom)
    assert "curl" not in found
    assert "ffmpeg" in found


def test_only_the_final_images_chain_counts() -> None:
    dockerfile = (
        "FROM python:3.12-slim AS build\n"
        "RUN apt-get update && apt-get install -y git wkhtmltopdf ffmpeg\n"
        "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
        "FROM python:3.12-slim AS base\n"
        "RUN apt-get install -y postgresql-client\n"
        "FROM base\n"
        "COPY --from=build /wheels /wheels\n"
        "COPY --from=build /usr/bin/wkhtmltopdf /usr/local/bin/\n"
    )
    found = provided(dockerfile)
    assert {"psql", "wkhtmltopdf"} <= found  # inherited FROM base; copied by name
    assert not {"git", "ffmpeg"} & found  # only in the build stage


def test_copies_from_stages_and_images() -> None:
    found = provided(
        "FROM debian:bookworm AS tools\n"
        "RUN apt-get install -y pandoc\n"
        "FROM python:3.12-slim\n"
        "COPY --from=tools /usr/bin /usr/bin\n"
        "COPY --from=mwader/static-ffmpeg:7.1 /ffmpeg /ffprobe /usr/local/bin/\n"
        "COPY --from=eclipse-temurin:21-jre /opt/java/openjdk /opt/java/openjdk\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\n"
    )
    assert {"pandoc", "ffmpeg", "ffprobe", "java"} <= found
    assert "git" not in found


def test_downloads_into_path_folders() -> None:
    assert "kubectl" in provided(
        "FROM python:3.12-slim\nRUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/v1.31.0/bin/linux/amd64/kubectl\n"
    )
    assert {"ffmpeg", "ffprobe"} <= provided(
        "FROM python:3.12-slim\n"
        "ADD https://johnvansickle.com/ffmpeg/releases/ffmpeg-release-amd64-static.tar.xz /tmp/\n"
        "RUN tar -xJf /tmp/ffmpeg-*.tar.xz -C /tmp && mv /tmp/ffmpeg-*/ffmpeg /tmp/ffmpeg-*/ffprobe /usr/local/bin/\n"
    )
    assert "node" in provided(
        "FROM python:3.12-slim\nENV PATH=/opt/node/bin:$PATH\n"
        "RUN wget -qO- https://nodejs.org/dist/v20.18.0/node-v20.18.0-linux-x64.tar.xz | tar -xJ -C /opt/node\n"
    )
    # Running a tool in the image proves it is there.
    assert "git" in provided(
        "FROM python:3.12-slim\nRUN ./setup-tools.sh && git --version\n", scripts={"setup-tools.sh": "true\n"}
    )


def test_naming_a_tool_is_not_installing_it() -> None:
    found = provided(
        "FROM python:3.12-slim\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        "RUN chmod +x /usr/local/bin/docker-entrypoint.sh && echo 'run git pull first'\n"
    )
    assert not {"docker", "git"} & found
    assert "docker" in provided("FROM python:3.12-slim\nRUN curl -fsSL https://get.docker.com | sh\n")


def test_version_pins_from_variables_and_conda() -> None:
    assert "curl" in provided(
        "FROM python:3.12-slim\nARG CURL_VERSION\nRUN apt-get install -y curl=${CURL_VERSION}\n"
    )
    assert {"ffmpeg", "tesseract"} <= provided(
        "FROM python:3.12-slim\nRUN micromamba install -y -n base -c conda-forge ffmpeg=6.1 conda-forge::tesseract\n"
    )


def test_scripts_the_dockerfile_runs() -> None:
    scripts = {
        "install-deps.sh": "#!/bin/sh\nset -e\napt-get update\napt-get install -y --no-install-recommends ffmpeg\n"
    }
    assert "ffmpeg" in provided(
        "FROM python:3.12-slim\nCOPY install-deps.sh /tmp/\nRUN sh /tmp/install-deps.sh\n", scripts=scripts
    )
    missing = image_tools(parse("FROM python:3.12-slim\nRUN ./docker/install.sh\n"))
    assert not missing.known
    assert "install.sh" in missing.opaque


@pytest.mark.parametrize(
    "run",
    [
        "apt-get install -y $BUILD_PACKAGES",
        "apt-get install -y $(cat /tmp/packages.txt)",
        "xargs apt-get install -y < /tmp/apt-packages.txt",
    ],
)
def test_package_lists_that_cannot_be_read_make_the_image_unknown(run: str) -> None:
    tools = image_tools(parse(f"FROM python:3.12-slim\nRUN {run}\n"))
    assert not tools.known
    assert tools.has("ffmpeg")


def test_pip_packages_that_ship_a_tool() -> None:
    assert "aws" in provided("FROM python:3.12-slim\n", pip_names=["AWSCLI"])
    assert "ffmpeg" not in provided("FROM python:3.12-slim\n", pip_names=["ffmpeg-python", "imageio-ffmpeg"])


def test_unknown_and_unresolved_bases() -> None:
    assert not image_tools(parse("FROM acme/python-base:3\n")).known
    assert not image_tools(parse("ARG BASE\nFROM ${BASE}\n")).known
    assert image_tools(parse("ARG TAG=3.12-slim\nFROM python:${TAG}\n")).known


# -- the rule: what the code runs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tool"),
    [
        ('subprocess.run(["ffmpeg", "-i", "a", "b"], check=True)', "ffmpeg"),
        ('subprocess.check_output(["/usr/bin/pg_dump", url])', "pg_dump"),
        ("subprocess.Popen(args=['convert', src, dst])", "convert"),
        ('subprocess.call("pg_dump --format=c db > /tmp/db.dump", shell=True)', "pg_dump"),
        ('subprocess.run(f"tesseract {src} stdout", shell=True, check=True)', "tesseract"),
        ('subprocess.run(["wkhtmltopdf {} {}".format(src, dst)], shell=True)', "wkhtmltopdf"),
        ('subprocess.run("libreoffice --headless --convert-to pdf %s" % src, shell=True)', "libreoffice"),
        ('subprocess.run(["bash", "-lc", "cd /tmp && soffice --headless x.docx"])', "soffice"),
        ('subprocess.run(["timeout", "30", "node", "render.js"])', "node"),
        ('subprocess.run(["sudo", "-u", "app", "java", "-jar", "x.jar"])', "java"),
        ('subprocess.run(shlex.split("git rev-parse HEAD"))', "git"),
        ('subprocess.run(" ".join(["mysqldump", "-h", host, db]), shell=True)', "mysqldump"),
        ('subprocess.getoutput("curl -s https://example.com | jq .")', "curl"),
        ('os.system("gs -q -dNOPAUSE x.ps")', "gs"),
        ('os.popen(f"pdftotext {path} -").read()', "pdftotext"),
        ('os.execvp("ffmpeg", ["ffmpeg", "-i", src])', "ffmpeg"),
        ('os.spawnlp(os.P_WAIT, "psql", "psql", "-c", "select 1")', "psql"),
        ('asyncio.create_subprocess_exec("ffprobe", src)', "ffprobe"),
        ('asyncio.create_subprocess_shell(f"magick {src} {dst}")', "magick"),
        ('subprocess.run(["python", "-m", "x"], executable="/usr/bin/node")', "node"),
    ],
)
def test_calls_that_run_a_tool(project, code: str, tool: str) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app.py": f"import asyncio\nimport os\nimport shlex\nimport subprocess\n\n\ndef job(src, dst, url, host, db, path):\n    {code}\n",
        }
    )
    found = reported(root)
    assert {(path, row) for path, row, _ in found} == {("app.py", 8)}, found
    assert found[0][2] == tool


def test_libraries_that_run_a_tool(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "ocr.py": """
                import pytesseract
                from pdf2image import convert_from_path

                def pages(pdf):
                    return [pytesseract.image_to_string(page) for page in convert_from_path(pdf)]
                """,
            "reports.py": """
                import ffmpeg
                import pdfkit
                import pypandoc
                from pydub import AudioSegment

                def render(html, audio):
                    pdfkit.from_string(html, "out.pdf")
                    AudioSegment.from_file(audio).export("out.wav", format="wav")
                    ffmpeg.input(audio).output("out.mp3").run()
                    return pypandoc.convert_text(html, "md", format="html")
                """,
            "configured.py": """
                import pdfkit
                import pytesseract
                from pdf2image import convert_from_path

                pytesseract.pytesseract.tesseract_cmd = "/opt/tesseract/bin/tesseract"
                CONFIG = pdfkit.configuration(wkhtmltopdf="/opt/wkhtmltox/bin/wkhtmltopdf")

                def run(pdf, html):
                    pdfkit.from_string(html, False, configuration=CONFIG)
                    convert_from_path(pdf, poppler_path="/opt/poppler/bin")
                    return pytesseract.image_to_string(pdf)
                """,
            "guarded.py": """
                import pytesseract

                def text(image):
                    try:
                        return pytesseract.image_to_string(image)
                    except pytesseract.TesseractNotFoundError:
                        return ""
                """,
        }
    )
    assert reported(root) == [
        ("ocr.py", 5, "tesseract"),
        ("ocr.py", 5, "pdftoppm"),
        ("reports.py", 7, "wkhtmltopdf"),
        ("reports.py", 8, "ffmpeg"),
        ("reports.py", 10, "pandoc"),
    ]


def test_commands_built_in_variables(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app.py": """
                import os
                import subprocess

                PG_DUMP = "pg_dump"


                def backup(url):
                    cmd = [PG_DUMP, "--format=custom", url]
                    subprocess.run(cmd + ["-f", "/tmp/x"], check=True)


                def ocr(path):
                    command = f"tesseract {path} stdout"
                    subprocess.run(command, shell=True, check=True)


                def either(fast):
                    if fast:
                        tool = ["convert", "a", "b"]
                    else:
                        tool = ["ffmpeg", "a", "b"]
                    subprocess.run(tool)


                def concatenated(name):
                    os.system("mysqldump --single-transaction " + name + " > /tmp/db.sql")


                def unknown(program):
                    subprocess.run([program, "--version"])
                    subprocess.run(["./bin/helper", "x"])
                    subprocess.run(["/opt/app/bin/render", "x"])
                    subprocess.run(["my-own-tool"])
                """,
        }
    )
    assert reported(root) == [
        ("app.py", 9, "pg_dump"),
        ("app.py", 14, "tesseract"),
        ("app.py", 26, "mysqldump"),
    ]


def test_sh_and_plumbum(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app.py": """
                import sh
                from plumbum import cmd, local
                from plumbum.cmd import pandoc
                from sh import git, ErrorReturnCode

                def run():
                    sh.ffmpeg("-i", "a", "b")
                    sh.psql.bake("-c")("select 1")
                    local["convert"]("a", "b")
                    cmd.wget["https://example.com"]()
                    sh.google_chrome("--headless")
                    sh.Command("tesseract")("x")
                    sh.ls("-l")
                """,
        }
    )
    assert reported(root) == [
        ("app.py", 3, "pandoc"),
        ("app.py", 4, "git"),
        ("app.py", 7, "ffmpeg"),
        ("app.py", 8, "psql"),
        ("app.py", 9, "convert"),
        ("app.py", 10, "wget"),
        ("app.py", 11, "google-chrome"),
        ("app.py", 12, "tesseract"),
    ]


def test_which_probes(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "optional.py": """
                import shutil
                import subprocess

                HAS_PANDOC = shutil.which("pandoc") is not None
                FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
                SOFFICE = shutil.which("soffice")


                def find_gs():
                    return shutil.which("gs")


                def convert(path):
                    if shutil.which("convert"):
                        subprocess.run(["convert", path, path + ".png"])
                    if SOFFICE is None:
                        return None
                    subprocess.run(["soffice", "--headless", path])
                    subprocess.run(["ffmpeg", "-i", path])
                    subprocess.run(["pandoc", path])
                    subprocess.run(["gs", path])
                """,
            "required.py": """
                import shutil
                import subprocess

                WKHTMLTOPDF = shutil.which("wkhtmltopdf")


                def render(html):
                    subprocess.run([WKHTMLTOPDF, html, "out.pdf"], check=True)
                """,
        }
    )
    assert reported(root) == [("required.py", 4, "wkhtmltopdf")]


def test_try_except(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app.py": """
                import subprocess


                def version():
                    try:
                        return subprocess.check_output(["git", "describe"]).decode()
                    except (subprocess.CalledProcessError, FileNotFoundError):
                        return "unknown"


                def backup():
                    try:
                        subprocess.run(["pg_dump", "db"], check=True)
                    except OSError:
                        log("backup failed")
                        raise


                def thumbnail():
                    try:
                        subprocess.run(["ffmpeg", "-i", "x"], check=True)
                    except subprocess.CalledProcessError:
                        return None


                def ocr():
                    try:
                        subprocess.run(["tesseract", "x"], check=True)
                    except OSError: raise
                """,
        }
    )
    assert reported(root) == [
        ("app.py", 13, "pg_dump"),
        ("app.py", 21, "ffmpeg"),
        ("app.py", 28, "tesseract"),
    ]


def test_one_finding_per_tool_per_file_at_the_first_use(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app.py": 'import subprocess\n\nsubprocess.run(["ffmpeg", "-a"])\nsubprocess.run(["ffmpeg", "-b"])\n',
            "other.py": 'import os\n\nos.system("ffmpeg -c")\n',
        }
    )
    assert reported(root) == [("app.py", 3, "ffmpeg"), ("other.py", 3, "ffmpeg")]


# -- the rule: which files, which Dockerfiles --------------------------------------------------

RUNS_FFMPEG = 'import subprocess\n\nsubprocess.run(["ffmpeg", "-version"])\n'


def test_files_that_are_not_app_code_are_skipped(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "app/media.py": RUNS_FFMPEG,
            "tests/test_media.py": RUNS_FFMPEG,
            "app/conftest.py": RUNS_FFMPEG,
            "docs/conf.py": RUNS_FFMPEG,
            "docs/tools/gen.py": RUNS_FFMPEG,
            "examples/demo.py": RUNS_FFMPEG,
            "scripts/release.py": RUNS_FFMPEG,
            ".github/scripts/check.py": RUNS_FFMPEG,
            "setup.py": RUNS_FFMPEG,
            "noxfile.py": RUNS_FFMPEG,
            "fabfile.py": RUNS_FFMPEG,
            "tasks.py": RUNS_FFMPEG,
        }
    )
    assert reported(root) == [("app/media.py", 3, "ffmpeg")]


def test_files_the_image_does_not_contain(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY app/ /srv/app/\nCOPY *.py /srv/\n",
            ".dockerignore": "app/local_only.py\n",
            "requirements.txt": "",
            "app/media.py": RUNS_FFMPEG,
            "app/local_only.py": RUNS_FFMPEG,
            "worker/jobs.py": RUNS_FFMPEG,
            "manage.py": RUNS_FFMPEG,
        }
    )
    assert reported(root) == [("app/media.py", 3, "ffmpeg"), ("manage.py", 3, "ffmpeg")]


def test_without_a_dockerfile_or_with_an_unknown_base(project) -> None:
    root = project({"app.py": RUNS_FFMPEG, "Procfile": "worker: python app.py\n"})
    assert reported(root) == []
    (root / "Dockerfile").write_text("FROM acme/python-base:3.12\nCOPY . .\n")
    assert reported(root) == []
    (root / "Dockerfile").write_text(
        "FROM python:3.12-slim\nARG EXTRA\nRUN apt-get install -y $EXTRA\nCOPY . .\n"
    )
    assert reported(root) == []


def test_several_dockerfiles(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "Dockerfile.worker": "FROM python:3.12-slim\nRUN apt-get install -y ffmpeg\nCOPY . /app\n",
            "app.py": RUNS_FFMPEG + 'subprocess.run(["pg_dump", "db"])\n',
        }
    )
    result = api.check([root], select=["FS0202"])
    assert [finding.message.split("`")[1] for finding in result.findings] == ["pg_dump"]
    assert "images built from Dockerfile, Dockerfile.worker" in result.findings[0].message


def test_development_images(project) -> None:
    root = project(
        {
            "Dockerfile": SLIM,
            "Dockerfile.dev": "FROM python:3.12\nRUN apt-get install -y ffmpeg\nCOPY . /app\n",
            ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/devcontainers/python:3.12\nCOPY . /workspace\n",
            "app.py": RUNS_FFMPEG,
        }
    )
    # The development image has ffmpeg; what is deployed does not. The devcontainer is ignored.
    result = api.check([root], select=["FS0202"])
    assert [(finding.location.row, finding.message.split(": ")[0]) for finding in result.findings] == [
        (3, "`ffmpeg` (run with `subprocess.run`) is not in the image built from Dockerfile")
    ]
    (root / "Dockerfile").unlink()
    assert reported(root) == [], "Dockerfile.dev alone is the image"


def test_dockerfile_in_a_subfolder_built_from_the_root(project) -> None:
    root = project(
        {
            "docker/Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY src/ /srv/src/\n",
            "requirements.txt": "",
            "src/media.py": RUNS_FFMPEG,
        }
    )
    assert reported(root) == [("src/media.py", 3, "ffmpeg")]


def test_compose_build_context(project) -> None:
    root = project(
        {
            "deploy/Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\n",
            "deploy/docker-compose.yml": "services:\n  web:\n    build:\n      context: ..\n      dockerfile: deploy/Dockerfile\n",
            "media.py": RUNS_FFMPEG,
        }
    )
    assert reported(root) == [("media.py", 3, "ffmpeg")]


def test_scanning_one_file_still_reads_the_dockerfile(project) -> None:
    root = project(
        {"Dockerfile": SLIM, "app/media.py": RUNS_FFMPEG, "pyproject.toml": '[project]\nname = "x"\n'}
    )
    assert reported(root, "app/media.py") == [("app/media.py", 3, "ffmpeg")]


def test_messages(project) -> None:
    root = project(
        {
            "Dockerfile": "FROM python:3.12-alpine\nCOPY . .\n",
            "requirements.txt": "pdfkit==1.0.0\n",
            "app.py": 'import subprocess\n\nsubprocess.run(["wkhtmltopdf", "a", "b"])\nsubprocess.run(["tesseract", "x"])\n',
        }
    )
    messages = [finding.message for finding in api.check([root], select=["FS0202"]).findings]
    assert messages == [
        "`wkhtmltopdf` (run with `subprocess.run`) is not in the image built from Dockerfile: "
        "`python:3.12-alpine` does not ship it and no stage installs it; copy it in from a build stage "
        "(the base image has no package for it) (`pdfkit` only calls it, it does not install it)",
        "`tesseract` (run with `subprocess.run`) is not in the image built from Dockerfile: "
        "`python:3.12-alpine` does not ship it and no stage installs it; add `tesseract-ocr` to an `apk add`",
    ]
    (root / "Dockerfile").write_text("FROM gcr.io/distroless/python3-debian12\nCOPY . .\n")
    [first, _] = [finding.message for finding in api.check([root], select=["FS0202"]).findings]
    assert "`gcr.io/distroless/python3-debian12` does not ship it" in first
    assert "copy it in from a build stage" in first


def test_noqa(project) -> None:
    root = project(
        {"Dockerfile": SLIM, "app.py": 'import subprocess\n\nsubprocess.run(["ffmpeg"])  # noqa: FS0202\n'}
    )
    assert reported(root) == []


# -- fixtures through the CLI ----------------------------------------------------------------


def test_media_worker_fixture() -> None:
    result = run_cli(
        FIXTURES / "media_worker", "--no-cache", "--format", "concise", cwd=FIXTURES / "media_worker"
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert [line.split(": ", 1)[0] for line in lines] == ["media/backup.py:12:20", "media/backup.py:14:9"], (
        lines
    )
    assert "`pg_dump` (run with `subprocess.run`) is not in the image built from Dockerfile" in lines[0]
    assert "add `postgresql-client` to an `apt-get install`" in lines[0]
    assert "`curl`" in lines[1]


@pytest.mark.parametrize(
    "fixture", sorted(path.name for path in FIXTURES.iterdir() if path.name != "media_worker")
)
def test_other_fixtures_have_no_undeclared_tools(fixture: str) -> None:
    result = run_cli(FIXTURES / fixture, "--no-cache", "--select", "FS0202", cwd=FIXTURES / fixture)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_documented_tool_table_is_complete() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "dependencies.md").read_text(encoding="utf-8")
    for tool in TOOLS:
        assert f"| {', '.join(tool.binaries)} | " in docs, f"docs/dependencies.md lacks {tool.binaries}"
