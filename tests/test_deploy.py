"""Deployment manifests checked against the app they run (issue 17), through the CLI.

The article's app is clean; each broken variant (fixtures/k8s_article_broken)
breaks exactly one rule; `factorscan env` shows who provides what; bad
input gets a warning, bounded time and nothing lost.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

DEPLOY_RULES = "FS0306,FS0307,FS0308,FS0505,FS0604,FS0703,FS0904,FS0905,FS1105"
BROKEN = FIXTURES / "k8s_article_broken"


def findings(path: Path, *args: str) -> list[tuple[str, int, str]]:
    completed = run_cli(path, "--no-cache", "--format", "json", *args, cwd=path)
    assert completed.returncode in (0, 1), completed.stderr
    return sorted(
        (item["filename"], item["location"]["row"], item["code"]) for item in json.loads(completed.stdout)
    )


def article_with(tmp_path: Path, variant: str | None) -> Path:
    app = shutil.copytree(FIXTURES / "k8s_article", tmp_path / "k8s_article")
    (app / ".git").mkdir()
    if variant is not None:
        shutil.copytree(BROKEN / variant, app, dirs_exist_ok=True)
    return app


@pytest.mark.parametrize("fixture", ["k8s_article", "k8s_kustomize", "helm_app", "compose_app"])
def test_clean_apps_pass_every_rule(fixture: str) -> None:
    completed = run_cli(FIXTURES / fixture, "--no-cache", cwd=FIXTURES / fixture)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "warning" not in completed.stderr


@pytest.mark.parametrize("code", sorted(path.name for path in BROKEN.iterdir() if path.is_dir()))
def test_each_broken_variant_breaks_its_rule_only(tmp_path: Path, code: str) -> None:
    app = article_with(tmp_path, code)
    found = findings(app)
    assert {finding[2] for finding in found} == {code}, found
    assert all(path.startswith("k8s/") for path, _row, _code in found)


def test_env_shows_who_provides_each_variable(tmp_path: Path) -> None:
    app = article_with(tmp_path, None)
    completed = run_cli("env", "--format", "json", cwd=app)
    assert completed.returncode == 0, completed.stderr
    provided = {item["name"]: item["provided_by"] for item in json.loads(completed.stdout)}
    assert provided["DATABASE_URL"] == ["Secret app-secrets"]
    assert provided["LOG_LEVEL"] == ["ConfigMap app-config"]
    assert provided["PORT"] == []
    table = run_cli("env", cwd=app).stdout
    assert "Provided by" in table
    assert "Secret app-secrets" in table


def test_env_check_fails_on_a_required_variable_nothing_provides(tmp_path: Path) -> None:
    assert run_cli("env", "--check", cwd=article_with(tmp_path / "clean", None)).returncode == 0
    completed = run_cli("env", "--check", cwd=article_with(tmp_path / "broken", "FS0307"))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    missing = sorted(line.split(":")[0] for line in completed.stdout.splitlines())
    assert missing == ["API_KEY", "DATABASE_URL"]


def test_env_check_claims_nothing_when_a_source_is_outside_the_repository() -> None:
    completed = run_cli("env", "--check", cwd=FIXTURES / "k8s_kustomize")
    assert completed.returncode == 0
    assert "outside the repository for Deployment shop (deploy/overlays/production)" in completed.stdout


def test_env_k8s_format_uses_the_names_the_repository_uses(tmp_path: Path) -> None:
    completed = run_cli("env", "--format", "k8s", cwd=article_with(tmp_path, None))
    assert 'name: "app-config"' in completed.stdout
    assert 'name: "app-secrets"' in completed.stdout


# -- kustomize ------------------------------------------------------------------------


def test_kustomize_overlays_are_checked_as_built(tmp_path: Path) -> None:
    app = shutil.copytree(FIXTURES / "k8s_kustomize", tmp_path / "app")
    (app / ".git").mkdir()
    overlay = app / "deploy" / "overlays" / "staging" / "kustomization.yaml"
    overlay.write_text(overlay.read_text().replace('newTag: "2026.03.1"', "newTag: latest"))
    patch = app / "deploy" / "overlays" / "staging" / "log-level.yaml"
    patch.write_text(
        patch.read_text().replace("{name: LOG_LEVEL, value: DEBUG}", "{name: LOG_LEVL, value: DEBUG}")
    )
    assert findings(app, "--select", DEPLOY_RULES) == [
        ("deploy/overlays/staging/kustomization.yaml", 7, "FS0505"),
        ("deploy/overlays/staging/log-level.yaml", 11, "FS0308"),
    ]


# -- bad input ------------------------------------------------------------------------


def _bad_input_app(tmp_path: Path, name: str, content: str | bytes) -> Path:
    app = article_with(tmp_path, None)
    target = app / "k8s" / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    return app


def _scan(app: Path) -> tuple[list[tuple[str, int, str]], str, float]:
    started = time.perf_counter()
    completed = run_cli(app, "--no-cache", "--format", "json", "--select", DEPLOY_RULES, cwd=app)
    elapsed = time.perf_counter() - started
    assert completed.returncode in (0, 1), completed.stderr
    assert "Traceback" not in completed.stderr
    found = sorted(
        (item["filename"], item["location"]["row"], item["code"]) for item in json.loads(completed.stdout)
    )
    return found, completed.stderr, elapsed


def test_invalid_yaml_is_one_warning_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    app = _bad_input_app(tmp_path, "broken.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n")
    (app / "k8s" / "deployment.yaml").write_text(
        (app / "k8s" / "deployment.yaml").read_text().replace("@sha256:abc123", ":latest")
    )
    found, stderr, _elapsed = _scan(app)
    assert found == [("k8s/deployment.yaml", 16, "FS0505")]
    warnings = [line for line in stderr.splitlines() if "broken.yaml" in line]
    assert len(warnings) == 1, stderr
    assert "invalid YAML, line 4" in warnings[0]


def test_a_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for index in range(1, 10):
        name, previous = chr(97 + index), chr(96 + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    app = _bad_input_app(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    found, stderr, elapsed = _scan(app)
    assert found == []
    assert "bomb.yaml" in stderr
    assert "more than 250000 nodes" in stderr
    assert elapsed < 30


def test_a_20_mb_manifest_is_skipped_with_a_warning(tmp_path: Path) -> None:
    filler = "  KEY_%d: value\n"
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n"
    rows = (21 * 1024 * 1024) // len(filler % 100000)
    app = _bad_input_app(tmp_path, "huge.yaml", body + "".join(filler % index for index in range(rows)))
    assert (app / "k8s" / "huge.yaml").stat().st_size > 20 * 1024 * 1024
    found, stderr, elapsed = _scan(app)
    assert found == []
    assert "huge.yaml: skipped" in stderr
    assert elapsed < 30


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "ci.yaml",
            "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    env: {API_TOKEN: ghp_0123456789abcdefghijABCDEFGHIJ012345}\n"
            "    steps: [{run: pytest}]\n",
        ),
        ("openapi.yaml", "openapi: 3.1.0\ninfo: {title: shop, version: '1'}\npaths: {/orders: {get: {}}}\n"),
        ("values.txt.yaml", "just: [text, {that: is}]\n"),
        ("notes.yml", "- not: kubernetes\n  kind: of\n"),
        ("latin1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n".encode("latin-1")),
    ],
)
def test_yaml_that_is_not_kubernetes_is_ignored(tmp_path: Path, name: str, content: str | bytes) -> None:
    app = _bad_input_app(tmp_path, name, content)
    found, stderr, _elapsed = _scan(app)
    assert found == []
    assert "Traceback" not in stderr


def test_noqa_comments_silence_manifest_findings(tmp_path: Path) -> None:
    app = article_with(tmp_path, "FS0505")
    deployment = app / "k8s" / "deployment.yaml"
    text = deployment.read_text()
    assert findings(app, "--select", "FS0505") == [("k8s/deployment.yaml", 16, "FS0505")]
    deployment.write_text(text.replace("web:latest  #", "web:latest  # noqa: FS0505 -"))
    assert findings(app, "--select", "FS0505") == []
    deployment.write_text("# factorscan: noqa: FS05\n" + text)
    assert findings(app, "--select", "FS0505") == []


# -- Helm ------------------------------------------------------------------------------


def helm_app(tmp_path: Path) -> Path:
    app = shutil.copytree(FIXTURES / "helm_app", tmp_path / "helm_app")
    (app / ".git").mkdir()
    return app


def test_helm_templates_are_rendered_with_their_values(tmp_path: Path) -> None:
    app = helm_app(tmp_path)
    values = app / "chart" / "values.yaml"
    values.write_text(
        values.read_text()
        .replace('tag: "1.4.2"', "tag: latest")
        .replace("path: /healthz", "path: /ready")
        .replace("terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 10")
    )
    assert findings(app, "--select", DEPLOY_RULES) == [
        ("chart/templates/deployment.yaml", 20, "FS0505"),  # two values on the line: the template says how
        ("chart/values.yaml", 17, "FS0904"),  # one value: where it is set (readiness)
        ("chart/values.yaml", 17, "FS0904"),  # and liveness
        ("chart/values.yaml", 19, "FS0905"),
    ]


def test_a_template_that_cannot_be_read_is_one_warning(tmp_path: Path) -> None:
    app = helm_app(tmp_path)
    templates = app / "chart" / "templates"
    (templates / "secret.yaml").write_text(
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ lookup "v1" "Secret" "default" "x" }}\n'
    )
    (templates / "configmap.yaml").write_text("{{- if .Values.env }}\napiVersion: v1\nkind: ConfigMap\n")
    deployment = templates / "deployment.yaml"
    deployment.write_text(
        deployment.read_text().replace(":{{ .Values.image.tag | default .Chart.AppVersion }}", "")
    )
    found, stderr, _elapsed = _scan(app)
    assert found == [("chart/values.yaml", 4, "FS0505")]  # the only value on the line
    warnings = sorted(line for line in stderr.splitlines() if "chart/templates/" in line)
    assert len(warnings) == 2, stderr
    assert "configmap.yaml: cannot be rendered (line 1: `if` is never closed)" in warnings[0]
    assert "secret.yaml: cannot be rendered (unknown function `lookup`)" in warnings[1]


def test_an_invalid_compose_file_is_one_warning(tmp_path: Path) -> None:
    app = shutil.copytree(FIXTURES / "compose_app", tmp_path / "compose_app")
    (app / ".git").mkdir()
    (app / "compose.yaml").write_text("services:\n  web:\n    build: .\n    ports: [8000:8000\n")
    completed = run_cli(app, "--no-cache", "--format", "json", cwd=app)
    assert completed.returncode in (0, 1), completed.stderr
    warnings = [line for line in completed.stderr.splitlines() if "compose.yaml" in line]
    assert len(warnings) == 1, completed.stderr
    assert "invalid YAML, line 5" in warnings[0]
