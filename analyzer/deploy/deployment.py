"""The deployment model: what runs the app, and what each of its containers is given.

It is built from the project tree's YAML files, compose files and Tiltfiles:

- **variants**: one per top-level kustomization (an overlay, or a base no
  overlay uses), one per Helm chart (its templates rendered with its
  values), and one for the plain manifests that neither includes;
- **compose services**, with their environment and env files;
- **image bindings**: the images this repository builds (compose
  `build:` with `image:`, skaffold artifacts, Tilt `docker_build`).

A container is linked to the app when its image is one the repository
builds, when the image's name matches a build context (the folder of a
Dockerfile, or the project itself), or, in a single-app repository (one
Dockerfile), when it is not a well-known third-party image. Cross-checks
with the code run only for linked containers.

Each linked container's env contract says which variables it is given and
by which descriptor, and whether the set is open-ended: an `envFrom` or an
env file that the repository does not hold may give anything.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from factorscan.deploy.container import ComposeService, parse_compose
from factorscan.deploy.dockerfile import parse_shared as parse_dockerfile
from factorscan.deploy.helm import RenderedChart, render_chart
from factorscan.deploy.k8s import Container, Resource, Workload, config_keys, resource_of, workload_of
from factorscan.deploy.kustomize import KUSTOMIZATION_NAMES, Sources, build_kustomization, split_image
from factorscan.deploy.yaml_loader import YamlError, YamlNode

__all__ = ["PLATFORM_VARIABLES", "DeploymentModel", "LinkedContainer", "Provision", "Variant"]

# Images that are someone else's service, never the app (the repository's last path part).
THIRD_PARTY_IMAGES = frozenset(
    {
        "postgres",
        "postgis",
        "mysql",
        "mariadb",
        "mongo",
        "redis",
        "valkey",
        "memcached",
        "rabbitmq",
        "nginx",
        "httpd",
        "traefik",
        "envoy",
        "haproxy",
        "caddy",
        "busybox",
        "alpine",
        "debian",
        "ubuntu",
        "curl",
        "elasticsearch",
        "opensearch",
        "kafka",
        "zookeeper",
        "minio",
        "mailhog",
        "mailpit",
        "localstack",
        "fluent-bit",
        "fluentd",
        "vector",
        "otel-collector",
        "opentelemetry-collector",
        "prometheus",
        "grafana",
        "jaeger",
        "cloud-sql-proxy",
        "pgbouncer",
        "adminer",
        "pgadmin4",
    }
)
# Images an app's own Dockerfile may start FROM: an image built on them can still run the app.
_GENERIC_BASES = frozenset({"alpine", "debian", "ubuntu", "busybox", "curl"})
# Set for every container by the runtime or the image's OS: never missing from a deployment,
# and never a name a fix may give to the app's own setting.
PLATFORM_VARIABLES = frozenset(
    {
        "HOSTNAME",
        "HOME",
        "PATH",
        "PWD",
        "USER",
        "SHELL",
        "TERM",
        "LANG",
        "SHLVL",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
    }
)
_TILT_BUILD = re.compile(
    r"""\b(?:docker_build|custom_build)\(\s*(?:ref\s*=\s*)?['"]([^'"]+)['"]\s*,\s*['"]([^'"]*)['"]"""
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")

ReadText = Callable[[str], "str | None"]


@dataclass
class Variant:
    """One way the manifests deploy: a kustomization's build, a chart, or the plain manifests."""

    label: str
    resources: list[Resource]
    external: bool = False  # it includes something from outside the repository

    @cached_property
    def workloads(self) -> list[Workload]:
        return [w for w in (workload_of(r) for r in self.resources) if w is not None]

    def config(self, kind: str, name: str) -> Resource | None:
        return next((r for r in self.resources if r.kind == kind and r.name == name), None)

    def of_kind(self, kind: str) -> list[Resource]:
        return [resource for resource in self.resources if resource.kind == kind]


@dataclass(frozen=True)
class Provision:
    """A variable given to a container, and by what."""

    name: str
    descriptor: str  # `Deployment web`, `ConfigMap app-config`, `compose service web`...
    node: YamlNode | None


@dataclass
class LinkedContainer:
    """A container that runs the app, with the env contract its descriptors give it."""

    label: str  # `Deployment web (k8s/overlays/prod)`, `compose service web`
    node: YamlNode  # where a finding about the container as a whole points
    provided: dict[str, list[Provision]] = field(default_factory=dict)
    open_ended: bool = False  # some source of variables is outside the repository
    workload: Workload | None = None
    container: Container | None = None
    variant: Variant | None = None
    compose: ComposeService | None = None

    def provide(self, name: str, descriptor: str, node: YamlNode | None) -> None:
        self.provided.setdefault(name, []).append(Provision(name, descriptor, node))


class DeploymentModel:
    def __init__(
        self,
        listing: list[tuple[str, str]],
        read_text: ReadText,
        dockerfile_env: Callable[[], dict[str, list[tuple[str, str]]]] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        """`listing` is (relative path, kind) for the tree; `read_text` reads a relative path
        (None when absent or unreadable); `dockerfile_env` gives each Dockerfile's final ENV names;
        problems met reading descriptors go to `warnings`."""
        self.listing = listing
        self._read = read_text
        self._texts: dict[str, str | None] = {}
        self.sources = Sources(self.read_text)
        self.dockerfile_env = dockerfile_env or dict
        self.warnings: list[str] = warnings if warnings is not None else []

    def read_text(self, path: str) -> str | None:
        """A file's text, read once."""
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    @cached_property
    def yaml_paths(self) -> list[str]:
        return [path for path, kind in self.listing if kind == "yaml"]

    @property
    def empty(self) -> bool:
        return not self.yaml_paths and not any(kind in ("compose", "tiltfile") for _, kind in self.listing)

    # -- YAML documents ------------------------------------------------------------

    def documents(self, path: str) -> list[YamlNode]:
        """A file's documents, or [] (with a warning) when it does not load."""
        text = self.read_text(path)
        if text is None:
            return []
        try:
            return self.sources.documents(path, text)
        except YamlError as exc:
            if path not in self._warned:
                self._warned.add(path)
                self.warnings.append(f"{path}: {exc}; its resources are not checked")
            return []

    @cached_property
    def _warned(self) -> set[str]:
        return set()

    @cached_property
    def charts(self) -> list[str]:
        """Folders holding a Helm chart (a Chart.yaml)."""
        return sorted(
            posixpath.dirname(path) for path in self.yaml_paths if posixpath.basename(path) == "Chart.yaml"
        )

    def _in_chart(self, path: str) -> bool:
        return any(path.startswith(f"{chart}/" if chart else "") for chart in self.charts)

    def _looks_like_manifest(self, path: str) -> bool:
        text = self.read_text(path)
        return text is not None and "apiVersion" in text and "kind" in text

    @cached_property
    def rendered_charts(self) -> list[RenderedChart]:
        """Each Helm chart, its templates rendered with its values.yaml."""
        rendered = []
        for chart in self.charts:
            found = render_chart(chart, self.read_text, self.yaml_paths + self._templates(chart))
            self.warnings.extend(found.problems)
            rendered.append(found)
        return rendered

    def _templates(self, chart: str) -> list[str]:
        """A chart's `.tpl` helpers (not YAML, so not in `yaml_paths`)."""
        prefix = f"{chart}/templates/" if chart else "templates/"
        return [path for path, _kind in self.listing if path.startswith(prefix) and path.endswith(".tpl")]

    @cached_property
    def kustomizations(self) -> list[str]:
        return sorted(
            posixpath.dirname(path) or "."
            for path in self.yaml_paths
            if posixpath.basename(path) in KUSTOMIZATION_NAMES
        )

    @cached_property
    def variants(self) -> list[Variant]:
        variants = []
        builds = {folder: build_kustomization(folder, self.sources) for folder in self.kustomizations}
        included: set[str] = set()
        for build in builds.values():
            included |= build.included
        for folder, build in builds.items():
            self.warnings.extend(build.problems)
            if folder in included:
                continue  # a base or component of another kustomization
            variants.append(Variant(folder, build.resources, build.external))
        for chart in self.rendered_charts:
            variants.append(Variant(f"chart {chart.folder or '.'}", chart.resources, chart.external))
        plain = []
        for path in self.yaml_paths:
            if path in included or self._in_chart(path) or posixpath.basename(path) in KUSTOMIZATION_NAMES:
                continue
            if not self._looks_like_manifest(path):
                continue  # a workflow, an OpenAPI spec, app config: not Kubernetes
            for document in self.documents(path):
                resource = resource_of(document)
                if resource is not None:
                    plain.append(resource)
        if plain:
            variants.append(Variant("manifests", plain))
        return variants

    def workloads(self) -> Iterator[tuple[Variant, Workload]]:
        for variant in self.variants:
            for workload in variant.workloads:
                yield variant, workload

    @cached_property
    def compose_services(self) -> list[ComposeService]:
        found = []
        for path, kind in self.listing:
            if kind != "compose":
                continue
            text = self.read_text(path)
            problems: list[str] = []
            found += parse_compose(text or "", problems, path)
            self.warnings.extend(f"{path}: {problem}" for problem in problems)
        return found

    # -- which images are the app --------------------------------------------------------

    @cached_property
    def built_images(self) -> set[str]:
        """Repositories the project builds (compose, skaffold, Tilt)."""
        images = set()
        for service in self.compose_services:
            image = service.node.get("image") if service.node is not None else None
            if service.build_context is not None:
                images.add(split_image(image.text)[0] if image is not None and image.text else service.name)
        for path in self.yaml_paths:
            if posixpath.basename(path) in ("skaffold.yaml", "skaffold.yml"):
                for document in self.documents(path):
                    for artifact in (document.path("build", "artifacts") or YamlNode([], 0, 0)).items:
                        image = artifact.get("image")
                        if image is not None and image.text:
                            images.add(image.text)
        for path, kind in self.listing:
            if kind == "tiltfile":
                images.update(match.group(1) for match in _TILT_BUILD.finditer(self.read_text(path) or ""))
        return images

    @cached_property
    def _context_names(self) -> set[str]:
        names = set()
        for path, kind in self.listing:
            if kind == "dockerfile":
                folder = posixpath.dirname(path)
                names.add(posixpath.basename(folder) if folder else "")
        return names - {""}

    @cached_property
    def dockerfile_count(self) -> int:
        return sum(1 for _, kind in self.listing if kind == "dockerfile")

    def runs_app(self, image: str, project_name: str = "") -> bool:
        """Whether a container with this image runs the app (see the module docstring)."""
        repository = split_image(image)[0]
        last = repository.rsplit("/", 1)[-1]
        if not repository or "{{" in image:
            return False
        built = self.built_images
        if repository in built or last in {name.rsplit("/", 1)[-1] for name in built}:
            return True
        if last in self._context_names or (project_name and last == project_name):
            return True
        return self.dockerfile_count == 1 and not built and last not in THIRD_PARTY_IMAGES

    def service_runs_app(self, service: ComposeService, project_name: str = "") -> bool:
        """Whether a compose service runs the app: it builds an image of the project that is not
        a third-party server's (a `Dockerfile.nginx` FROM nginx), or runs the app's image, and its
        command does not merely keep the container alive (a devcontainer's `sleep infinity`)."""
        argv = service.process_argv()
        if argv[:1] == ["sleep"] or argv[:3] == ["tail", "-f", "/dev/null"]:
            return False
        if service.build_context is None:
            image = service.node.get("image") if service.node is not None else None
            return image is not None and self.runs_app(image.text or "", project_name)
        folder = posixpath.dirname(service.node.origin) if service.node is not None else ""
        path = posixpath.normpath(
            posixpath.join(folder, service.build_context, service.dockerfile or "Dockerfile")
        )
        text = self.read_text(path)
        base = parse_dockerfile(text, path).root_image() if text is not None else None
        return base is None or base.name in _GENERIC_BASES or base.name not in THIRD_PARTY_IMAGES

    # -- env contracts -------------------------------------------------------------------

    def linked_containers(self, project_name: str = "") -> list[LinkedContainer]:
        """The containers that run the app, each with its env contract (computed once)."""
        if project_name not in self._linked:
            self._linked[project_name] = self._link(project_name)
        return self._linked[project_name]

    @cached_property
    def _linked(self) -> dict[str, list[LinkedContainer]]:
        return {}

    def _link(self, project_name: str) -> list[LinkedContainer]:
        linked = []
        for variant, workload in self.workloads():
            for container in workload.containers:
                if not self.runs_app(container.image_text, project_name):
                    continue
                label = f"{workload.kind} {workload.name}" + (
                    f" ({variant.label})" if variant.label != "manifests" else ""
                )
                item = LinkedContainer(
                    label, container.node, workload=workload, container=container, variant=variant
                )
                self._k8s_contract(item, variant, workload, container)
                linked.append(item)
        for service in self.compose_services:
            if service.node is None or not self.service_runs_app(service, project_name):
                continue
            # Findings about the service point at its name.
            at = YamlNode(
                service.name, service.node.key_row, service.node.key_column, origin=service.node.origin
            )
            at.end_row, at.end_column = at.row, at.column + len(service.name)
            item = LinkedContainer(f"compose service {service.name}", at, compose=service)
            for name, node in service.environment_nodes.items():
                item.provide(name, f"compose service {service.name}", node)
            for env_file in service.env_files:
                self._env_file(item, posixpath.dirname(service.node.origin), env_file)
            linked.append(item)
        env = self.dockerfile_env()
        for item in linked:
            for dockerfile, names in env.items():
                for name, _value in names:
                    item.provide(name, f"{dockerfile} ENV", None)
        return linked

    def _k8s_contract(
        self, item: LinkedContainer, variant: Variant, workload: Workload, container: Container
    ) -> None:
        descriptor = f"{workload.kind} {workload.name}"
        item.open_ended |= variant.external
        for entry in container.env:
            source = entry.source
            if source is not None:
                named = f"{source.kind} {source.name}"
                found = variant.config(source.kind, source.name)
                node = config_keys(found).get(source.key or "") if found is not None else None
                item.provide(entry.name, named, node or entry.node)
            else:
                item.provide(entry.name, descriptor, entry.value or entry.node)
        for source, _item in container.env_from:
            found = variant.config(source.kind, source.name)
            if found is None:
                item.open_ended |= not source.optional
                continue
            for key, value in config_keys(found).items():
                item.provide(source.prefix + key, f"{source.kind} {source.name}", value)

    def _env_file(self, item: LinkedContainer, folder: str, env_file: YamlNode) -> None:
        path = posixpath.normpath(posixpath.join(folder, env_file.text or ""))
        text = self.read_text(path)
        if text is None:
            item.open_ended = True
            return
        for row, line in enumerate(text.splitlines(), start=1):
            match = _ENV_LINE.match(line)
            if match:
                item.provide(match.group(1), path, YamlNode("", row, 1, origin=path))
