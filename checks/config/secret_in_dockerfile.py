"""FS0305 secret-in-dockerfile: a Dockerfile writes a secret into the image or its history."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from factorscan.checks.base import FileRule, Invalid, Severity, Trigger, Valid
from factorscan.checks.config._shared import CREDENTIAL_SHAPES, FORMAT_TRIGGERS, REFERENCE
from factorscan.core.findings import Finding
from factorscan.core.source import SourceFile
from factorscan.deploy.dockerfile import Assignment, Instruction, parse_shared
from factorscan.python.credentials import find_credentials
from factorscan.python.secrets import (
    has_real_password,
    is_secret_name,
    looks_like_secret_value,
    name_words,
    parse_url,
)

# ENV and ARG at the start of a line (any case); credential formats and `user:pw@` for RUN.
_DOCKERFILE_TRIGGERS: tuple[Trigger, ...] = (
    re.compile(rb"(?im)^[ \t]*(?:env|arg)[ \t]"),
    CREDENTIAL_SHAPES[0],
    *FORMAT_TRIGGERS,
)


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")


_HEX_FINGERPRINT = re.compile(r"^(?:0x)?[0-9A-Fa-f]{8,}$")


# Build-time variables that front-end bundlers inline into the JavaScript they serve: public by design.
_PUBLIC_PREFIXES = (
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VITE_",
    "GATSBY_",
    "PUBLIC_",
)


def _secret_variable(name: str) -> bool:
    return is_secret_name(name) and not name.upper().startswith(_PUBLIC_PREFIXES)


def _aws_secret_name(name: str) -> bool:
    words = name_words(name)
    return "secret" in words and ("aws" in words or "access" in words)


def _url_passwords(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each real password inside a URL in `text` (`scheme://user:pw@host`)."""
    for match in _URL_IN_TEXT.finditer(text):
        url = parse_url(match.group())
        if url is None or not has_real_password(url):
            continue
        netloc_start = match.start() + match.group().index("://") + 3
        netloc = re.split(r"[/?#]", text[netloc_start : match.end()], maxsplit=1)[0]
        userinfo = netloc.rpartition("@")[0]
        colon = userinfo.find(":")
        if colon != -1:
            yield netloc_start + colon + 1, netloc_start + len(userinfo)


class SecretInDockerfile(FileRule):
    """
    ## What it does
    Finds secrets written into a Dockerfile:

    - `ENV` and `ARG` defaults holding a known credential format whatever the
      variable is called (AWS keys, GitHub, GitLab, Slack, Stripe live,
      Google, SendGrid, Twilio, Sentry, OpenAI, Anthropic, npm and PyPI
      tokens, PEM private keys, JWTs, `django-insecure-` keys), a URL with a
      real password (`postgres://app:s3cret@db/app`), or a real-looking value
      under a secret-like name (`ENV SECRET_KEY=...`, `ARG NPM_TOKEN=...`);
    - `ENV API_KEY=$API_KEY`, which copies a build argument into the image's
      environment for good;
    - `ARG NPM_TOKEN` (no default, or an empty one) in a stage of the final
      image followed by a `RUN`: BuildKit writes every build argument in scope into the image
      history of each later `RUN` (`docker history` shows its value). In a
      build stage the final image does not descend from, it stays out of the
      image and passes;
    - credential formats and URL passwords anywhere else: `RUN curl -H
      "Authorization: Bearer ghp_..."`, `RUN pip install
      https://user:pw@pypi.internal/...`, heredoc bodies.

    Placeholders (`changeme`, `<token>`, `xxx`, `dummy`), empty values,
    values from other variables (`${DB_PASSWORD}`), paths, values equal to a
    word of the name (`ENV POSTGRES_PASSWORD=postgres`), GPG key fingerprints
    (`ENV GPG_KEY=A035C8...`, as in the official Python image), front-end
    build variables that bundlers inline into public JavaScript
    (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`...) and BuildKit secret mounts
    (`RUN --mount=type=secret,id=npm_token ...`) pass. The
    message names the variable and the kind of credential, never the value,
    and reporters mask the value when they show the line.

    ## Why is this bad?
    Factor III: credentials belong to the environment of a deploy, not to
    the build. A secret in a Dockerfile is in the repository and in every
    image built from it: anyone who can pull the image reads it with `docker
    inspect` or `docker history`, and rotating it means rebuilding and
    redeploying every image.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENV STRIPE_API_KEY=sk_live_...
    ARG PIP_TOKEN
    RUN pip install --index-url https://ci:$PIP_TOKEN@pypi.internal/simple -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    RUN --mount=type=secret,id=pip_index_url \\
        PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install -r requirements.txt
    ```
    and set `STRIPE_API_KEY` in the environment of the running container.

    ## Fix
    None automatic: remove the value, rotate the credential, pass build-time
    secrets with `docker build --secret` and `RUN --mount=type=secret`, and
    give the container its runtime secrets through the platform's
    environment or secret store.
    """

    code = "FS0305"
    name = "secret-in-dockerfile"
    severity = Severity.ERROR
    summary = "A Dockerfile writes a secret into the image or its history"
    kinds = ("dockerfile",)
    file_triggers = _DOCKERFILE_TRIGGERS

    VALID = (
        Valid(
            """
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1 \\
                SECRET_KEY_FILE=/run/secrets/django_secret \\
                DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app \\
                API_TOKEN="" \\
                POSTGRES_PASSWORD=postgres
            ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
            ARG SECRET_KEY=changeme
            ARG GITHUB_TOKEN=<your-token>
            RUN --mount=type=secret,id=npm_token \\
                NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
            """,
            filename="Dockerfile",
            note="paths, references, placeholders, a word of the name, a key fingerprint, a secret mount",
        ),
        Valid(
            """
            FROM python:3.12-slim AS wheels
            ARG PIP_EXTRA_INDEX_TOKEN
            RUN pip wheel --wheel-dir /wheels -r requirements.txt
            FROM python:3.12-slim
            COPY --from=wheels /wheels /wheels
            RUN pip install --no-index /wheels/*.whl
            """,
            filename="Dockerfile",
            note="a build argument used only in a stage the final image does not descend from",
        ),
        Valid(
            """
            FROM python:3.12-slim
            COPY . /app
            RUN --mount=type=secret,id=gitlab_token,env=GITLAB_TOKEN \\
                pip install "git+https://oauth2:${GITLAB_TOKEN}@gitlab.com/acme/lib.git@v1.2.0"
            # factorscan: ignore=FS0305
            ENV WEBHOOK_SECRET=Zq8Xw2Lm4Nv6Bt1R
            """,
            filename="Dockerfile",
            note="a secret mount read through a variable; an ignore comment",
        ),
        Valid(
            """
            FROM nginx:1.27-alpine
            ENV DD_UWSGI_PASS="uwsgi_server" \\
                PROXY_PASS=backend_upstream \\
                FASTCGI_PASS=php_fpm
            """,
            filename="Dockerfile",
            note="nginx upstream names (uwsgi_pass, proxy_pass, fastcgi_pass) are not passwords",
        ),
    )
    INVALID = (  # noqa: FS0301 - the examples plant fake credentials on purpose
        Invalid(
            """
            FROM python:3.12-slim
            ENV STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc
            """,
            filename="Dockerfile",
            line=2,
            note="a credential format",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ENV DJANGO_SECRET_KEY="k8#x2Lq9!vR4mZ7w" \\
                DATABASE_URL=postgres://shop:Tr0ub4dor3@db.internal:5432/shop
            ARG SENTRY_DSN_TOKEN=q8Zr2Lx9Wm4Tn7Pb3Vc6
            """,
            filename="Dockerfile",
            count=3,
            note="by name, a URL password, an ARG default",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ARG NPM_TOKEN
            ENV NPM_TOKEN=${NPM_TOKEN}
            """,
            filename="Dockerfile",
            line=3,
            note="the build argument's value stays in the image's environment (one finding, at the ENV)",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            ARG PIP_PASSWORD
            RUN pip install --index-url "https://ci:${PIP_PASSWORD}@pypi.internal/simple" -r requirements.txt
            """,
            filename="Dockerfile",
            line=2,
            note="`docker history` shows the build argument",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN curl -fsSL -H "Authorization: Bearer ghp_R7tQ2mX9vB4nK8pW3zL6cJ1hF5dS0aY8uE2iQ" \\
                  https://api.github.com/repos/acme/app/tarball -o app.tgz \\
             && pip install https://deploy:Xk2m9Qp4w@pypi.acme.io/packages/acme-1.0.tar.gz
            """,
            filename="Dockerfile",
            count=2,
            note="inline credentials in RUN: a token format and a URL password",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            COPY . /app
            RUN DJANGO_SECRET_KEY='django-insecure-jflj0&oa5lqsaj08x!ui(6^*=d3)*9wq4g4%zdmen2khv#' \\
                python /app/manage.py collectstatic --noinput
            """,
            filename="Dockerfile",
            line=3,
            note="a Django development key passed to a build step",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN curl -fsSL --oauth2-bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaSJ9.PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA-2O7 \\
                  https://artifacts.acme.io/wheels/acme_client-2.1.0-py3-none-any.whl -o /tmp/acme_client.whl \\
             && pip install /tmp/acme_client.whl
            """,  # noqa: E501 - a JWT is one long word
            filename="Dockerfile",
            line=2,
            note="a JSON Web Token",
        ),
        Invalid(
            """
            FROM python:3.12-slim
            RUN mkdir -p /root/.ssh \\
             && echo "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n-----END OPENSSH PRIVATE KEY-----" > /root/.ssh/id_ed25519 \\
             && pip install git+ssh://git@github.com/acme/billing.git@v3.2.0
            """,  # noqa: E501 - the key is one line of the shell command
            filename="Dockerfile",
            line=3,
            note="a private key written into the image",
        ),
    )

    def check_file(self, source: SourceFile) -> Iterable[Finding]:
        dockerfile = parse_shared(source.text, source.display_path)
        final = dockerfile.final_stage
        image_stages = {stage.index for stage in dockerfile.lineage(final)} if final is not None else set()
        global_args: dict[str, str | None] = {}
        scope = _Scope()
        for instruction in dockerfile.instructions:
            keyword = instruction.keyword
            if keyword == "FROM":
                yield from self._recorded_args(source, scope)
                scope = _Scope(in_image=instruction.stage in image_stages)
                continue
            ignored = instruction.ignores(self.code)
            if keyword in ("ENV", "ARG"):
                for pair in instruction.assignments():
                    if not ignored:
                        yield from self._assignment(source, instruction, pair, scope)
                    if keyword == "ENV":
                        continue
                    if instruction.stage < 0:
                        global_args[pair.name] = pair.value
                        continue
                    value = global_args.get(pair.name) if pair.value is None else pair.value
                    # A build argument with no default, or an empty one, is meant to be set by the build
                    # (`changeme` or `dummy` defaults are what the build uses).
                    by_build = value is None or not value.strip() or bool(REFERENCE.search(value))
                    scope.args[pair.name] = None if by_build else value
                    if by_build and scope.in_image and not ignored and _secret_variable(pair.name):
                        scope.secret_args[pair.name] = instruction
                continue
            if keyword == "RUN":
                scope.recorded.update(scope.secret_args)
            if not ignored:
                yield from self._inline(source, instruction)
        yield from self._recorded_args(source, scope)

    def _assignment(
        self, source: SourceFile, instruction: Instruction, pair: Assignment, scope: _Scope
    ) -> Iterator[Finding]:
        value = pair.value
        if not value:
            return
        keyword = instruction.keyword
        what = f"ENV `{pair.name}` is set to" if keyword == "ENV" else f"ARG `{pair.name}` defaults to"
        start, end = _value_span(instruction, pair)
        references = REFERENCE.findall(value)
        credentials = list(find_credentials(value, _aws_secret_name(pair.name)))
        if credentials:
            label = credentials[0][2].format.label
            yield self._finding(source, instruction, start, end, f"{what} a {label}")
            return
        passwords = list(_url_passwords(value))
        if passwords:
            shift = instruction.line.find(value, start)
            if shift == -1:  # quoted with escapes: mask the whole value
                yield self._finding(source, instruction, start, end, f"{what} a URL with a password")
                return
            first, last = passwords[0]
            yield self._finding(
                source, instruction, shift + first, shift + last, f"{what} a URL with a password"
            )
            return
        from_build = [name for name in references if name in scope.args and scope.args[name] is None]
        if keyword == "ENV" and from_build:
            secret = _secret_variable(pair.name) or any(_secret_variable(name) for name in from_build)
            if secret and scope.in_image:
                scope.persisted.update(from_build)
                yield self.make_finding(
                    source.display_path,
                    instruction.location(start),
                    instruction.location(end),
                    f"ENV `{pair.name}` copies the build argument `{from_build[0]}` into the image's "
                    "environment, where `docker inspect` shows it; read it in `RUN --mount=type=secret` "
                    "at build time, or set it when the container runs",
                )
            return
        if references or not _secret_variable(pair.name) or not looks_like_secret_value(value, pair.name):
            return
        if {"gpg", "pgp", "gpgkey", "gpgkeys"} & set(name_words(pair.name)) and _HEX_FINGERPRINT.match(value):
            return  # a key fingerprint, public by design
        yield self._finding(source, instruction, start, end, f"{what} a secret-looking literal")

    def _inline(self, source: SourceFile, instruction: Instruction) -> Iterator[Finding]:
        """Credential formats and URL passwords in any other instruction and its heredocs."""
        texts = [(instruction.line, instruction.text_map)]
        texts += [(heredoc.text, heredoc.text_map) for heredoc in instruction.heredocs]
        for text, text_map in texts:
            aws = "secret_access_key" in text.lower()
            seen: list[tuple[int, int]] = []
            for start, end, match in find_credentials(text, aws_context=aws, guess_aws_secret=False):
                if any(start < other_end and other_start < end for other_start, other_end in seen):
                    continue
                seen.append((start, end))
                yield self.make_finding(
                    source.display_path,
                    text_map.location(start),
                    text_map.location(end),
                    f"{instruction.keyword} contains a {match.format.label}: it is stored in the "
                    "Dockerfile and in the image history",
                    sensitive=True,
                )
            for start, end in _url_passwords(text):
                if any(start < other_end and other_start < end for other_start, other_end in seen):
                    continue
                yield self.make_finding(
                    source.display_path,
                    text_map.location(start),
                    text_map.location(end),
                    f"{instruction.keyword} contains a URL with a password: it is stored in the "
                    "Dockerfile and in the image history",
                    sensitive=True,
                )

    def _recorded_args(self, source: SourceFile, scope: _Scope) -> Iterator[Finding]:
        for name in sorted(scope.recorded - scope.persisted):
            instruction = scope.secret_args[name]
            pair = next(pair for pair in instruction.assignments() if pair.name == name)
            yield self.make_finding(
                source.display_path,
                instruction.location(pair.start),
                instruction.location(pair.end),
                f"Build argument `{name}` is written into the image history by every later RUN "
                "(`docker history` shows its value); pass it with `RUN --mount=type=secret` instead",
            )

    def _finding(
        self,
        source: SourceFile,
        instruction: Instruction,
        start: int,
        end: int,
        message: str,
    ) -> Finding:
        advice = (
            "; remove it, rotate it, and give it to the container at run time or to the build with `--secret`"
        )
        return self.make_finding(
            source.display_path,
            instruction.location(start),
            instruction.location(end),
            message + advice,
            sensitive=True,
        )


@dataclass
class _Scope:
    """What one build stage has declared so far, for FS0305."""

    in_image: bool = False  # a stage of the final image's FROM chain
    args: dict[str, str | None] = field(default_factory=dict)  # None: the value comes from the build
    secret_args: dict[str, Instruction] = field(default_factory=dict)  # secret-named, no default
    recorded: set[str] = field(default_factory=set)  # ... with a RUN after them
    persisted: set[str] = field(default_factory=set)  # ... copied into ENV (reported there)


def _value_span(instruction: Instruction, pair: Assignment) -> tuple[int, int]:
    """Offsets in `instruction.line` of the value as written (quotes included)."""
    start = pair.value_start
    line = instruction.line
    while start < pair.end and line[start] in " \t":
        start += 1
    return start, max(pair.end, start)
