"""The Dockerfile parser on tricky but valid files, and on garbage."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from factorscan.deploy.dockerfile import Dockerfile, expand, parse

from .conftest import examples


def dockerfile(text: str) -> Dockerfile:
    return parse(textwrap.dedent(text).lstrip("\n"))


def summary(parsed: Dockerfile) -> list[tuple[str, int, int, str]]:
    return [(i.keyword, i.start_row, i.end_row, i.arguments) for i in parsed.instructions]


def test_directives_and_backtick_escape() -> None:
    parsed = dockerfile(
        """
        # syntax=docker/dockerfile:1.7
        # escape=`
        FROM mcr.microsoft.com/windows/servercore:ltsc2022
        RUN Write-Host `
            C:\\Temp\\setup.ps1
        # escape=\\
        COPY C:\\app C:\\app
        """
    )
    assert parsed.directives == {"syntax": "docker/dockerfile:1.7", "escape": "`"}
    assert parsed.escape == "`"
    assert summary(parsed) == [
        ("FROM", 3, 3, "mcr.microsoft.com/windows/servercore:ltsc2022"),
        ("RUN", 4, 5, "Write-Host     C:\\Temp\\setup.ps1"),
        ("COPY", 7, 7, "C:\\app C:\\app"),
    ]
    assert parsed.issues == []


def test_a_directive_after_a_comment_is_a_comment() -> None:
    parsed = dockerfile(
        """
        # build the shop
        # escape=`
        FROM python:3.12
        """
    )
    assert parsed.directives == {}
    assert parsed.escape == "\\"


def test_continuations_drop_comment_and_empty_lines() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim
        RUN apt-get update \\
            # the compiler for wheels without binaries
            && apt-get install -y --no-install-recommends gcc \\

            && rm -rf /var/lib/apt/lists/*
        CMD ["python"]
        """
    )
    assert summary(parsed) == [
        ("FROM", 1, 1, "python:3.12-slim"),
        (
            "RUN",
            2,
            6,
            "apt-get update     && apt-get install -y --no-install-recommends gcc     && rm -rf /var/lib/apt/lists/*",
        ),
        ("CMD", 7, 7, '["python"]'),
    ]
    run = parsed.instructions[1]
    # Offsets map back across the dropped lines.
    position = run.line.index("&& rm")
    assert run.location(position).row == 6
    assert run.location(position).column == 5
    assert run.location(run.line.index("gcc")).row == 4


def test_heredocs() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim AS base
        RUN <<EOT
        set -e
        FROM scratch
        RUN echo not an instruction
        pip install celery
        EOT
        RUN <<-'PY' python3
        \tprint("$HOME stays literal")
        \tPY
        RUN <<FILE1 cat > /etc/one && <<"FILE2" cat > /etc/two
        first
        FILE1
        second
        FILE2
        COPY <<EOF /app/settings.ini
        [app]
        debug = false
        EOF
        CMD ["python", "-m", "shop"]
        """
    )
    assert summary(parsed) == [
        ("FROM", 1, 1, "python:3.12-slim AS base"),
        ("RUN", 2, 7, "<<EOT"),
        ("RUN", 8, 10, "<<-'PY' python3"),
        ("RUN", 11, 15, '<<FILE1 cat > /etc/one && <<"FILE2" cat > /etc/two'),
        ("COPY", 16, 19, "<<EOF /app/settings.ini"),
        ("CMD", 20, 20, '["python", "-m", "shop"]'),
    ]
    first = parsed.instructions[1].heredocs[0]
    assert (first.name, first.start_row, first.end_row, first.expand, first.strip_tabs) == (
        "EOT",
        3,
        7,
        True,
        False,
    )
    assert first.body == "set -e\nFROM scratch\nRUN echo not an instruction\npip install celery\n"
    python = parsed.instructions[2].heredocs[0]
    assert (python.name, python.expand, python.strip_tabs) == ("PY", False, True)
    assert python.text == 'print("$HOME stays literal")\n'
    one, two = parsed.instructions[3].heredocs
    assert (one.name, one.body, one.expand) == ("FILE1", "first\n", True)
    assert (two.name, two.body, two.expand, two.start_row, two.end_row) == (
        "FILE2",
        "second\n",
        False,
        14,
        15,
    )
    copy = parsed.copies()[0]
    assert copy.heredoc
    assert copy.destination == "/app/settings.ini"
    # The heredoc script is shell; the python heredoc and the cat bodies are data.
    assert [install.names for install in parsed.pip_installs()] == [["celery"]]
    assert parsed.pip_installs()[0].requirements[0].start.row == 6
    assert parsed.issues == []


def test_exec_and_shell_forms() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim
        SHELL ["/bin/bash", "-o", "pipefail", "-c"]
        RUN ["pip", "install", "--no-cache-dir", "gunicorn==23.0.0"]
        RUN pip install --no-cache-dir uvicorn==0.32.1
        HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-f", "http://localhost:8000/health"]
        ENTRYPOINT ["tini", "--"]
        CMD gunicorn --bind ":$PORT" app:app
        """
    )
    shell, run_exec, run_shell, health, entrypoint, cmd = parsed.instructions[1:]
    assert shell.json == ("/bin/bash", "-o", "pipefail", "-c")
    assert parsed.final_stage is not None
    assert parsed.final_stage.shell == shell.json
    assert run_exec.json == ("pip", "install", "--no-cache-dir", "gunicorn==23.0.0")
    assert run_shell.json is None
    assert run_shell.arguments == "pip install --no-cache-dir uvicorn==0.32.1"
    assert health.flag("interval") == "30s"
    assert health.flag("timeout") == "3s"
    assert health.json == ("curl", "-f", "http://localhost:8000/health")
    assert entrypoint.json == ("tini", "--")
    assert cmd.json is None
    assert parsed.final_command() == (entrypoint, cmd)
    assert [[r.name for r in p.requirements] for p in parsed.pip_installs()] == [["gunicorn"], ["uvicorn"]]
    # Exec-form elements know where they are.
    assert [(value, start) for value, start, _ in entrypoint.json_elements()] == [("tini", 12), ("--", 20)]


def test_invalid_json_is_shell_form_with_a_warning() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim
        CMD ["gunicorn", "app:app",]
        """
    )
    assert parsed.instructions[1].json is None
    assert [(issue.row, issue.severity) for issue in parsed.issues] == [(2, "warning")]


def test_stages_aliases_and_reachability() -> None:
    parsed = dockerfile(
        """
        ARG PYTHON_VERSION=3.12
        ARG DISTRO
        FROM python:${PYTHON_VERSION}-slim AS Base
        ENV PYTHONDONTWRITEBYTECODE=1
        FROM base AS builder
        RUN pip wheel --wheel-dir /wheels -r requirements.txt
        FROM node:22 AS assets
        RUN npm run build
        FROM debian:${DISTRO} AS docs
        FROM base
        COPY --from=builder /wheels /wheels
        COPY --from=2 /app/static /app/static
        RUN --mount=type=cache,target=/root/.cache pip install /wheels/*.whl
        """
    )
    names = [(s.index, s.name, s.base, s.resolved, s.parent) for s in parsed.stages]
    assert names == [
        (0, "base", "python:3.12-slim", True, None),
        (1, "builder", "base", True, 0),
        (2, "assets", "node:22", True, None),
        (3, "docs", "debian:", False, None),
        (4, None, "base", True, 0),
    ]
    assert parsed.stages[0].image is not None
    assert parsed.stages[0].image.tag == "3.12-slim"
    assert parsed.stages[1].image is None  # a stage, not an image
    assert parsed.stages[3].image is None  # the build supplies DISTRO
    assert parsed.stages[4].env == {"PYTHONDONTWRITEBYTECODE": "1"}
    assert [s.index for s in parsed.stages_reaching_final()] == [0, 1, 2, 4]
    assert parsed.global_args == {"PYTHON_VERSION": "3.12", "DISTRO": None}
    run = parsed.stages[4].of("RUN")[0]
    assert run.flag("mount") == "type=cache,target=/root/.cache"
    assert run.arguments == "pip install /wheels/*.whl"
    copies = parsed.copies(parsed.stages[4:])
    assert [(c.sources, c.destination, c.from_stage and c.from_stage.index) for c in copies] == [
        (("/wheels",), "/wheels", 1),
        (("/app/static",), "/app/static", 2),
    ]


def test_arg_redeclared_in_a_stage_and_substitution_forms() -> None:
    parsed = dockerfile(
        """
        ARG TAG=3.12
        FROM python:${TAG:-3.11}-slim
        ARG TAG
        ARG EXTRA=${TAG:+-with-tag}
        ENV A=1 B="two words" C=$A D=${TAG}${EXTRA}
        ENV LEGACY spaced out value
        ENV E=${A:-unset}
        """
    )
    stage = parsed.stages[0]
    assert stage.base == "python:3.12-slim"
    assert stage.env == {
        "A": "1",
        "B": "two words",
        "C": "",  # one ENV sees the values from before it
        "D": "3.12-with-tag",
        "LEGACY": "spaced out value",
        "E": "1",
    }


def test_expand() -> None:
    variables = {"SET": "x", "EMPTY": "", "BUILD_ARG": None}
    assert expand("$SET ${SET} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:+alt} ${UNSET:+alt}", variables) == (
        "x x d d  alt ",
        True,
    )
    assert expand("python:${BUILD_ARG}", variables) == ("python:", False)
    assert expand("\\$SET", variables) == ("$SET", True)


def test_final_command_and_entrypoint_reset() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim AS base
        CMD ["python", "app.py"]
        FROM base AS web
        FROM base
        ENTRYPOINT ["/docker-entrypoint.sh"]
        """
    )
    entrypoint, cmd = parsed.final_command()
    assert entrypoint is not None
    assert entrypoint.start_row == 5
    assert cmd is None  # an ENTRYPOINT resets the CMD inherited from a base stage
    assert parsed.lineage(parsed.stages[2]) == [parsed.stages[2], parsed.stages[0]]


def test_ignore_comment_block() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim
        # factorscan: ignore=FS0903
        # the supervisor forwards signals
        CMD supervisord
        """
    )
    cmd = parsed.instructions[1]
    assert cmd.comments == ("factorscan: ignore=FS0903", "the supervisor forwards signals")
    assert cmd.ignores("FS0903")
    assert not cmd.ignores("FS0501")


def test_pip_and_system_installs() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-alpine
        RUN apk add --no-cache --virtual .build-deps gcc musl-dev \\
         && apk add ffmpeg=6.1.1-r0 libpq \\
         && pip install --no-cache-dir -r requirements.txt -c constraints.txt 'celery[redis]>=5' \\
         && python3 -m pip install --index-url https://pypi.example.com/simple shop-plugins==1.2.0 \\
         && pip install -e . ./wheels/x.whl "git+https://github.com/org/lib.git@v1.0" \\
         && apk del .build-deps
        RUN DEBIAN_FRONTEND=noninteractive apt-get -q install -y curl && yum install -y git && echo pip install x
        """
    )
    installs = parsed.pip_installs()
    assert [(p.names, p.requirement_files, p.constraint_files, p.local) for p in installs] == [
        (["celery"], ("requirements.txt",), ("constraints.txt",), ()),
        (["shop-plugins"], (), (), ()),
        (["lib"], (), (), (".", "./wheels/x.whl")),
    ]
    assert [r.pinned for p in installs for r in p.requirements] == [False, True, True]
    assert [(s.manager, s.packages) for s in parsed.system_installs()] == [
        ("apk", ("gcc", "musl-dev")),
        ("apk", ("ffmpeg", "libpq")),
        ("apt-get", ("curl",)),
        ("yum", ("git",)),
    ]


# -- garbage in, findings out ---------------------------------------------------------


def test_garbage_becomes_issues() -> None:
    parsed = dockerfile(
        """
        RUN echo before any stage
        FORM python:3.12
        FROM
        FROM python:3.12 AS
        RUN <<EOF
        echo never terminated
        """
    )
    messages = [(issue.row, issue.message) for issue in parsed.issues]
    assert messages == [
        (2, "unknown instruction: FORM"),
        (3, "FROM requires at least one argument"),
        (5, "unterminated heredoc 'EOF'"),
        (1, "RUN before the first FROM: no build stage yet"),
        (4, "FROM takes an image and optionally `AS name`"),
    ]
    assert parsed.instructions[-1].heredocs[0].terminated is False


def test_binary_and_empty_input() -> None:
    assert parse("").instructions == []
    dangling = parse("\\\n")
    assert dangling.instructions == []
    assert [issue.severity for issue in dangling.issues] == ["warning"]
    parsed = parse("\x00\x01\x02 \udcff\n\\\n[[[\n<<<\n")
    assert parsed.issues  # reported, not raised


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FROMRUNCMD <-\"'[]{}$\\`#=:\n\tEOFabc")), max_size=200))
def test_parser_never_raises(text: str) -> None:
    parsed = parse(text)
    parsed.final_command()
    parsed.stages_reaching_final()
    parsed.pip_installs()
    parsed.system_installs()
    parsed.copies()
    for instruction in parsed.instructions:
        instruction.words()
        instruction.location(len(instruction.line))


def test_assignments_with_positions() -> None:
    parsed = dockerfile(
        """
        FROM python:3.12-slim
        ARG PIP_INDEX_URL API_TOKEN=abc123
        ENV DJANGO_SETTINGS_MODULE=shop.settings \\
            SECRET_KEY="not in git"
        ENV LEGACY value with spaces
        """
    )
    arg, env, legacy = parsed.instructions[1:]
    assert [(a.name, a.value) for a in arg.assignments()] == [
        ("PIP_INDEX_URL", None),
        ("API_TOKEN", "abc123"),
    ]
    pairs = env.assignments()
    assert [(a.name, a.value) for a in pairs] == [
        ("DJANGO_SETTINGS_MODULE", "shop.settings"),
        ("SECRET_KEY", "not in git"),
    ]
    secret = pairs[1]
    assert env.location(secret.start) == env.location(env.line.index("SECRET_KEY"))
    assert (env.location(secret.value_start).row, env.location(secret.value_start).column) == (4, 16)
    assert env.line[secret.value_start : secret.end] == '"not in git"'
    assert [(a.name, a.value) for a in legacy.assignments()] == [("LEGACY", "value with spaces")]
