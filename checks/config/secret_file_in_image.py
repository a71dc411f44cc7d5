"""FS0304 secret-file-in-image: a secret file is copied into the Docker image."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.checks.config._shared import REFERENCE
from factorscan.core.discovery import is_sample_path
from factorscan.core.findings import Finding
from factorscan.deploy.dockerfile import Copy, Dockerfile, Instruction, Stage, expand
from factorscan.deploy.dockerignore import BuildContext, clean, source_pattern
from factorscan.python.secrets import needs_head, secret_file_kind
from factorscan.scan.project import ProjectModel

_HEAD_BYTES = 65536


_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class _Placed:
    """A secret file inside a stage's filesystem."""

    path: str  # in the image, relative to `/`
    shown: str  # how the message names it: the context path
    kind: str
    instruction: Instruction  # the COPY/ADD that brought it from the build context


class SecretFileInImage(ProjectRule):
    """
    ## What it does
    Finds Dockerfile `COPY`/`ADD` instructions that put a secret file into
    the final image: `.env` files holding real-looking secrets, private keys
    (`*.key`, a `*.pem` with a `PRIVATE KEY` block, `id_rsa` and the other
    SSH keys), `*.p12`/`*.pfx` key stores, `.netrc`, `.pypirc`,
    `.git-credentials`, `.pgpass`, `.aws/credentials`, `.docker/config.json`
    with registry auth, an `.npmrc` with an auth token, Google service
    account and OAuth client JSON files, and Streamlit's
    `.streamlit/secrets.toml`.

    It reads the build context (compose `build.context`, else guessed from
    the COPY sources) the way `docker build` does: `COPY . .` and `COPY src/
    /app/` are reported when such a file exists there and `.dockerignore`
    does not exclude it, and the message names the files (never their
    content). A file named explicitly (`COPY .env /app/`) is reported even
    when it is not in the tree now (`.env` is usually git-ignored but there
    on the machine that builds). `COPY --from=<stage>` is judged by what that
    stage holds, and reported when it carries a secret file into the final
    image.

    Passes: `.env.example`, `.env.sample`, `.env.template` and `.env.test`;
    a `.env` with no secret in it; certificates and public keys (`*.pub`,
    a `.pem` without a private key); files under `tests/`, `fixtures/`,
    `docs/`, `examples/`, `node_modules/`, virtualenvs and `.git/`; secrets
    copied only into a build stage whose files the final image does not take
    (they stay out of the image); BuildKit secret mounts (`RUN
    --mount=type=secret`). Dockerfiles under tests/ and dot folders
    (`.devcontainer/`) are not checked.

    ## Why is this bad?
    Factor III: credentials are config, and belong to the environment of
    each deploy. A secret file in an image travels to every registry and
    host the image does, is readable by anyone who can pull it (`docker
    save` unpacks every layer, and deleting the file in a later layer does
    not remove it), and is the same in staging and production.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    ```
    with a `.env` holding `STRIPE_API_KEY=...` next to it and no
    `.dockerignore`.

    Use instead: a `.dockerignore` with
    ```
    .env
    *.pem
    ```
    and the values given to the container by the platform
    (`docker run --env-file`, Kubernetes secrets).

    ## Fix
    None automatic: exclude the file in `.dockerignore` (or stop copying
    it), rotate anything that reached a pushed image, and pass build-time
    secrets with `docker build --secret` and `RUN --mount=type=secret`.
    """

    code = "FS0304"
    name = "secret-file-in-image"
    severity = Severity.ERROR
    summary = "A secret file is copied into the Docker image"
    # --diff-base: the .dockerignore decides what COPY sends.
    changed_by = ("dockerignore",)
    test_files = (
        "secret files under tests/, fixtures/, docs/ and examples/ are fixtures and pass; "
        "Dockerfiles there are not checked"
    )

    VALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Valid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            COPY . .
            CMD ["gunicorn", "app:app"]
            """,
            filename="Dockerfile",
            files={
                ".dockerignore": ".git\n.env\n**/*.pem\n",
                ".env": "STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
                "certs/server.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75aB\n",
                ".env.example": "STRIPE_API_KEY=\n",
                "app.py": "app = None\n",
            },
            note="excluded by .dockerignore; .env.example documents the variables",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /srv
            COPY .env.sample /srv/.env
            """,
            filename="Dockerfile",
            files={
                ".env": "FLASK_APP=app.py\nSECRET_KEY=\nLOG_LEVEL=info\n",
                ".env.sample": "SECRET_KEY=changeme\n",
                "certs/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTAN\n",
                "deploy/id_ed25519.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq deploy@ci\n",
                "tests/fixtures/server.key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n",
            },
            note="no secret in .env, a certificate, a public key, a test fixture",
        ),
        Valid(
            """
            FROM python:3.12-slim AS build
            COPY .netrc /root/.netrc
            COPY . /src
            RUN pip wheel --wheel-dir /wheels /src
            FROM python:3.12-slim
            COPY --from=build /wheels /wheels
            RUN pip install --no-index /wheels/*.whl
            """,
            filename="Dockerfile",
            files={".env": "DATABASE_URL=postgres://shop:Tr0ub4dor3@db/shop\n"},
            note="secrets only in a build stage whose wheels are all the final image takes",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            FROM python:3.12-slim
            WORKDIR /app
            COPY . .
            """,
            filename="Dockerfile",
            files={".env": "DATABASE_URL=postgres://shop:Tr0ub4dor3@db/shop\n", "app.py": "app = None\n"},
            line=3,
            note="no .dockerignore: the .env goes in",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY .env /app/.env
            COPY deploy/ /etc/deploy/
            """,
            filename="Dockerfile",
            files={
                ".dockerignore": "*.pyc\n",
                "deploy/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUA\n",
                "deploy/known_hosts": "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq\n",
            },
            count=2,
            note="`.env` named explicitly (not in the tree: built where it exists), a folder with an SSH key",
        ),
        Invalid(
            """
            FROM python:3.12-slim AS source
            COPY . /src
            FROM python:3.12-slim
            COPY --from=source /src /app
            """,
            filename="Dockerfile",
            files={"gcp/service-account.json": '{"type": "service_account", "private_key": "-----BEGIN"}\n'},
            line=4,
            note="the final stage takes the build stage's whole tree",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterable[Finding]:
        for path, dockerfile in sorted(project.dockerfiles.items()):
            relative = project.relative(path)
            if is_sample_path(relative) or any(part.startswith(".") for part in relative.split("/")[:-1]):
                continue
            final = dockerfile.final_stage
            if final is None:
                continue
            yield from self._image(project, path, dockerfile, final)

    def _image(
        self, project: ProjectModel, path: Path, dockerfile: Dockerfile, final: Stage
    ) -> Iterator[Finding]:
        context = project.build_context(path)
        image = {stage.index for stage in dockerfile.lineage(final)}
        copies = {id(copy.instruction): copy for copy in dockerfile.copies()}
        contents: dict[int, list[_Placed]] = {}
        workdirs: dict[int, str] = {}
        reported: set[str] = set()
        for stage in dockerfile.stages:
            placed = list(contents.get(stage.parent, [])) if stage.parent is not None else []
            workdir = workdirs.get(stage.parent, "/") if stage.parent is not None else "/"
            variables = _stage_variables(dockerfile, stage)
            for instruction in stage.instructions:
                if instruction.keyword == "WORKDIR":
                    target = _resolve(instruction.arguments.strip(), variables, instruction.escape)
                    workdir = posixpath.normpath(posixpath.join(workdir, target)) if target else workdir
                    continue
                copy = copies.get(id(instruction))
                if copy is None or copy.heredoc or copy.from_image is not None:
                    continue
                if copy.from_stage is not None:
                    if copy.from_stage.index >= stage.index:
                        continue
                    new = self._from_stage(copy, variables, workdir, contents[copy.from_stage.index])
                else:
                    new = self._from_context(context, copy, variables, workdir)
                placed.extend(new)
                # One finding per file: the first instruction that puts it into the final image.
                unreported = [item for item in new if item.shown not in reported]
                if unreported and stage.index in image and not instruction.ignores(self.code):
                    reported.update(item.shown for item in unreported)
                    yield self._finding(project, path, copy, unreported, context)
            contents[stage.index] = placed
            workdirs[stage.index] = workdir

    @staticmethod
    def _from_context(
        context: BuildContext, copy: Copy, variables: dict[str, str | None], workdir: str
    ) -> list[_Placed]:
        found: list[_Placed] = []
        for raw in copy.sources:
            source = _resolve(raw, variables, copy.instruction.escape)
            if source is None or "://" in source or source.startswith("git@"):
                continue
            files = context.copied(source)
            for relative in files:
                kind = secret_file_kind(
                    relative, _head(context.root / relative) if needs_head(relative) else None
                )
                if kind is not None:
                    target = _destination(copy, source, relative, workdir)
                    found.append(_Placed(target, relative, kind, copy.instruction))
            cleaned = clean(source).lstrip("/")
            if files or _GLOB.search(cleaned) or cleaned in ("", ".") or context.excluded(cleaned):
                continue
            if not (context.root / cleaned).exists():
                # Named but not in the tree now: `.env` is git-ignored, yet there where images are built.
                kind = secret_file_kind(cleaned)
                if kind is not None:
                    found.append(
                        _Placed(_destination(copy, source, cleaned, workdir), cleaned, kind, copy.instruction)
                    )
        return found

    @staticmethod
    def _from_stage(
        copy: Copy, variables: dict[str, str | None], workdir: str, available: list[_Placed]
    ) -> list[_Placed]:
        found = []
        for raw in copy.sources:
            source = _resolve(raw, variables, copy.instruction.escape)
            if source is None:
                continue
            pattern = source_pattern(source)
            for item in available:
                if pattern is None or pattern.matches_or_parent(item.path):
                    found.append(
                        _Placed(
                            _destination(copy, source, item.path, workdir),
                            item.shown,
                            item.kind,
                            item.instruction,
                        )
                    )
        return found

    def _finding(
        self, project: ProjectModel, path: Path, copy: Copy, placed: list[_Placed], context: BuildContext
    ) -> Finding:
        instruction = copy.instruction
        unique = list({item.shown: item for item in placed}.values())
        names = ", ".join(f"`{item.shown}` ({item.kind})" for item in unique[:3])
        if len(unique) > 3:
            names += f" and {len(unique) - 3} more"
        origin = instruction.flag("from")
        flags = [f"--from={origin}"] if origin else []
        command = " ".join([instruction.keyword, *flags, *copy.sources, copy.destination])
        if copy.from_stage is not None:
            stage_name = copy.from_stage.name or str(copy.from_stage.index)
            message = (
                f"`{command}` takes {names} from stage `{stage_name}` (copied there at line "
                f"{unique[0].instruction.start_row}) into the final image; copy only what the app needs"
            )
        else:
            message = f"`{command}` puts {names} into the image"
            named = {clean(source).lstrip("/") for source in copy.sources}
            them = "them" if len(unique) > 1 else "it"
            if all(item.shown in named for item in unique):
                message += f"; stop copying {them} and give the container its secrets at run time"
            else:
                ignore = (
                    "`.dockerignore` does not exclude"
                    if context.ignore_file
                    else "no `.dockerignore` excludes"
                )
                message += (
                    f": the build context has {them} and {ignore} {them}; add {them} to "
                    "`.dockerignore` and give the container its secrets at run time"
                )
        return self.make_finding(
            project.display(path),
            instruction.start,
            instruction.end,
            message,
            fingerprint_hint=",".join(sorted(item.shown for item in unique)),
        )


def _stage_variables(dockerfile: Dockerfile, stage: Stage) -> dict[str, str | None]:
    """Build arguments (defaults) and ENV a stage's paths may use; None: set by the build."""
    variables: dict[str, str | None] = {}
    for instruction in stage.of("ARG"):
        for pair in instruction.assignments():
            default = dockerfile.global_args.get(pair.name) if pair.value is None else pair.value
            variables[pair.name] = default
    variables.update(stage.env)
    return variables


def _resolve(text: str, variables: dict[str, str | None], escape: str) -> str | None:
    """`text` with its variables substituted; None when one is unknown (undeclared or a build arg)."""
    if any(name not in variables for name in REFERENCE.findall(text)):
        return None
    value, known = expand(text, variables, escape)
    return value if known else None


def _head(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _destination(copy: Copy, source: str, relative: str, workdir: str) -> str:
    """Where `COPY <source> <dest>` puts the file `relative` (a path below the source's root)."""
    destination = posixpath.join(workdir, copy.destination) if copy.destination else workdir
    pattern_text = clean(source).lstrip("/")
    if pattern_text in ("", "."):
        inside = relative
    elif relative == pattern_text and not copy.destination.endswith("/") and len(copy.sources) == 1:
        return posixpath.normpath(destination).lstrip("/")
    else:
        # The part below the folder the source names (or the matched file's own name).
        pattern = source_pattern(source)
        parts = relative.split("/")
        depth = next(
            (
                index
                for index in range(1, len(parts) + 1)
                if pattern is None or pattern.matches("/".join(parts[:index]))
            ),
            len(parts),
        )
        inside = "/".join(parts[depth - 1 :]) if depth == len(parts) else "/".join(parts[depth:])
    return posixpath.normpath(posixpath.join(destination, inside)).lstrip("/")
