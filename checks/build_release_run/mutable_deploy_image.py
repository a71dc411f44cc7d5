"""FS0505 mutable-deploy-image: a workload runs an image with no tag or the `latest` tag."""

from __future__ import annotations

from collections.abc import Iterator

from factorscan.checks.base import Invalid, ProjectRule, Severity, Valid
from factorscan.core.findings import Finding
from factorscan.deploy.kustomize import split_image
from factorscan.deploy.purpose import is_development_descriptor
from factorscan.deploy.yaml_loader import YamlNode
from factorscan.python.targets import sample_or_test_file
from factorscan.scan.project import ProjectModel


def mutable_reason(image: str) -> str | None:
    """`no tag` or `the latest tag` for a floating reference; None for a tag, a digest or a template."""
    if not image or any(marker in image for marker in ("{{", "${", "$(")) or image.startswith("$"):
        return None
    _repository, rest = split_image(image)
    if rest.startswith("@"):
        return None
    if not rest:
        return "no tag"
    return "the `latest` tag" if rest == ":latest" else None


class MutableDeployImage(ProjectRule):
    """
    ## What it does
    Finds Kubernetes containers (and init containers) and compose services
    whose `image:` has no tag or the `latest` tag, once kustomize `images:`
    overrides are applied. Images that skaffold or Tilt build are left
    alone: those tools replace the reference with the exact build at deploy
    time. A compose service that is built (`build:`) names the local build,
    not something pulled, and is not reported. Digests (`@sha256:...`) and
    templated references are never reported. A compose service that runs a
    backing service's image (`redis`, `mailpit`), not the app, and any
    manifest for development, CI or tests, or a sample under `docs/` or
    `examples/`, is a notice at `info`.

    ## Why is this bad?
    Factor V: a release is a build plus config, and it never changes. A
    floating tag makes the release point at whatever was pushed last: two
    replicas started an hour apart run different code, and rolling back to
    an earlier release brings back the new image.

    ## Example
    ```yaml
    containers:
      - name: web
        image: registry.example.com/web:latest
    ```

    Use instead: the image your CI built, by version tag or digest
    (`registry.example.com/web@sha256:...`), or a kustomize `images:` entry
    that sets it.

    ## Fix
    None: only the build knows which tag or digest to pin.
    """

    code = "FS0505"
    name = "mutable-deploy-image"
    severity = Severity.WARNING
    summary = "A workload runs an image with no tag or the `latest` tag"

    VALID = (
        Valid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: "registry.example.com/web@sha256:9f86d081884c7d659a2feaa0c55ad015\
                        a3bf4f1b2b0b822cd15d6c15b0f00a08"
                    - name: proxy
                      image: envoyproxy/envoy:v1.31.2
            """,
            filename="k8s/deployment.yaml",
        ),
        Valid(
            """
            resources: [deployment.yaml]
            images:
              - name: web
                newTag: "2026.03.1"
            """,
            filename="kustomization.yaml",
            files={
                "deployment.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers: [{name: web, image: web}]
                """
            },
            note="kustomize `images:` sets the tag the base leaves out",
        ),
        Valid(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers: [{name: web, image: web-app}]
            """,
            filename="pod.yaml",
            files={
                "skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\n"
                "build:\n  artifacts:\n    - image: web-app\n"
            },
            note="skaffold builds the image and pins the reference when it deploys",
        ),
        Valid(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers: [{name: web, image: shop-web}]
            """,
            filename="pod.yaml",
            files={"Tiltfile": "docker_build('shop-web', '.')\nk8s_yaml('pod.yaml')\n"},
            note="Tilt builds it",
        ),
        Valid(
            """
            services:
              web:
                build: .
                image: shop-web
            """,
            filename="compose.yaml",
            note="the name compose gives its own build",
        ),
    )
    INVALID = (
        Invalid(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:latest
            """,
            filename="k8s/deployment.yaml",
            line=9,
        ),
        Invalid(
            """
            resources: [deployment.yaml]
            images:
              - name: web
                newTag: latest
            """,
            filename="kustomization.yaml",
            files={
                "deployment.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers: [{name: web, image: web:1.2.0}]
                """
            },
            line=4,
            note="the overlay's `images:` is what runs",
        ),
        Invalid(
            """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: report}
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      initContainers: [{name: migrate, image: shop/migrations}]
                      containers: [{name: report, image: "shop/report:1.0"}]
            """,
            filename="cronjob.yaml",
            line=9,
        ),
        Invalid(
            """
            services:
              web:
                image: registry.example.com/example:latest
            """,
            filename="docker-compose.yml",
            line=3,
            severity=Severity.WARNING,
            note="the app's own image, named after the project",
        ),
        Invalid(
            """
            services:
              cache:
                image: redis
            """,
            filename="docker-compose.yml",
            line=3,
            severity=Severity.INFO,
            note="a backing service of a compose stack is a notice",
        ),
        Invalid(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers: [{name: web, image: registry.example.com/web:latest}]
            """,
            filename="tests/e2e/pod.yaml",
            line=5,
            severity=Severity.INFO,
            note="a manifest for tests is a notice",
        ),
        Invalid(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers: [{name: web, image: registry.example.com/web}]
            """,
            filename="docs/install/k8s/pod.yaml",
            line=5,
            severity=Severity.INFO,
            note="a sample in the docs is a notice",
        ),
    )

    def check_project(self, project: ProjectModel) -> Iterator[Finding]:
        deployment = project.deployment
        if deployment.empty:
            return
        built = deployment.built_images
        images: list[tuple[YamlNode, str, bool]] = []  # image, where, a compose backing service
        for _variant, workload in deployment.workloads():
            for container in [*workload.init_containers, *workload.containers]:
                if container.image is not None:
                    images.append((container.image, f"{workload.kind} `{workload.name}`", False))
        for service in deployment.compose_services:
            image = service.node.get("image") if service.node is not None else None
            if image is not None and service.build_context is None:
                backing = not deployment.service_runs_app(service, project.root.name)
                images.append((image, f"compose service `{service.name}`", backing))
        seen: set[tuple[str, int, int]] = set()
        for node, where, backing in images:
            text = node.text or ""
            reason = mutable_reason(text)
            key = (node.origin, node.row, node.column)
            if reason is None or key in seen or node.origin not in project.scanned_paths:
                continue
            if split_image(text)[0] in built:
                continue
            seen.add(key)
            path, start, end = project.node_span(node)
            message = (
                f"{where} runs `{text}`, with {reason}: the image can change under the same release; "
                "pin the tag your build made, or its digest"
            )
            # Notices: a local stack's backing service, or a file for development or CI.
            notice = (
                "a development or CI file"
                if is_development_descriptor(node.origin)
                else "a sample in the docs or examples, not a release"
                if sample_or_test_file(node.origin)
                else "a backing service of a compose stack, not the app's release"
                if backing
                else None
            )
            yield self.make_finding(
                path,
                start,
                end,
                f"{message} ({notice})" if notice else message,
                severity=Severity.INFO if notice else None,
                fingerprint_hint=text,
            )
