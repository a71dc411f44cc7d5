"""Kubernetes objects as the deployment model sees them.

A manifest file holds one or more documents; those with `apiVersion` and
`kind` are resources, anything else (a GitHub workflow, an OpenAPI spec) is
not Kubernetes and is ignored. Workloads (Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job, CronJob, Pod) are read down to their pod template:
containers with image, command, env, envFrom, ports, probes and volume
mounts, the pod's volumes, replicas and termination grace period. Every
value keeps its `YamlNode`, whose `origin` names the file it came from (a
kustomize patch may have put it there), so findings point at the line to
change.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from factorscan.deploy.yaml_loader import YamlNode

__all__ = [
    "WORKLOAD_KINDS",
    "Container",
    "EnvEntry",
    "EnvSource",
    "Probe",
    "Resource",
    "Workload",
    "config_keys",
    "is_resource",
    "resource_of",
    "workload_of",
]

# kind -> the path from the resource to its pod spec.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
WORKLOAD_KINDS = frozenset(_POD_SPEC_PATHS)
# Workloads that serve or work for as long as they run (not run-to-completion jobs).
LONG_RUNNING_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)


@dataclass
class Resource:
    kind: str
    name: str
    node: YamlNode  # the whole document

    @property
    def origin(self) -> str:
        return self.node.origin


def is_resource(document: YamlNode) -> bool:
    """A Kubernetes object: a mapping with `apiVersion` and `kind` (kustomize's own files aside)."""
    api_version, kind = document.get("apiVersion"), document.get("kind")
    return (
        api_version is not None
        and kind is not None
        and bool(kind.text)
        and bool(api_version.text)
        and not (api_version.text or "").startswith(("kustomize.config.k8s.io", "skaffold/"))
    )


def resource_of(document: YamlNode) -> Resource | None:
    if not is_resource(document):
        return None
    name = document.path("metadata", "name")
    return Resource(document.mapping["kind"].text or "", (name.text if name else None) or "", document)


@dataclass
class EnvSource:
    """Where `valueFrom` or `envFrom` takes values: a ConfigMap or Secret by name."""

    kind: str  # ConfigMap | Secret
    name: str
    key: str | None  # one key (valueFrom), or None for all of them (envFrom)
    optional: bool
    prefix: str = ""


@dataclass
class EnvEntry:
    """One `env:` item of a container."""

    name: str
    node: YamlNode  # the item
    value: YamlNode | None  # `value:`
    source: EnvSource | None  # `valueFrom` with a ConfigMap or Secret key
    other_source: bool = False  # `valueFrom` with fieldRef/resourceFieldRef: set by the platform


@dataclass
class Probe:
    kind: str  # readiness | liveness | startup
    node: YamlNode
    http_path: YamlNode | None = None
    port: YamlNode | None = None  # httpGet/tcpSocket/grpc port: a number or a port name


@dataclass
class Container:
    name: str
    node: YamlNode
    image: YamlNode | None
    command: list[YamlNode] = field(default_factory=list)
    args: list[YamlNode] = field(default_factory=list)
    env: list[EnvEntry] = field(default_factory=list)
    env_from: list[tuple[EnvSource, YamlNode]] = field(default_factory=list)
    ports: list[tuple[int, str, YamlNode]] = field(default_factory=list)  # number, name, node
    probes: dict[str, Probe] = field(default_factory=dict)
    mounts: list[tuple[str, str, YamlNode]] = field(default_factory=list)  # volume, mountPath, node

    @property
    def image_text(self) -> str:
        return (self.image.text or "") if self.image is not None else ""

    @property
    def argv(self) -> list[str]:
        return [item.text or "" for item in (*self.command, *self.args)]

    def port_named(self, name: str) -> int | None:
        return next((number for number, port_name, _ in self.ports if port_name == name), None)


@dataclass
class Workload:
    resource: Resource
    pod: YamlNode
    containers: list[Container]
    init_containers: list[Container]
    volumes: dict[str, YamlNode]  # name -> the volume item
    replicas: YamlNode | None
    grace_period: YamlNode | None

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def labels(self) -> dict[str, str]:
        template = self.resource.node.path("spec", "template", "metadata", "labels")
        found = template or self.resource.node.path("metadata", "labels")
        return {key: value.text or "" for key, value in (found.mapping if found else {}).items()}

    @property
    def replica_count(self) -> int | None:
        return as_int(self.replicas)

    @property
    def long_running(self) -> bool:
        return self.kind in LONG_RUNNING_KINDS


def as_int(node: YamlNode | None) -> int | None:
    text = node.text if node is not None else None
    if text is None or node is None or node.quoted:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def _env_source(node: YamlNode, kind: str, key: str | None) -> EnvSource | None:
    name = node.get("name")
    if name is None or not name.text:
        return None
    optional = node.get("optional")
    key_node = node.get("key")
    return EnvSource(
        kind,
        name.text,
        key_node.text if key_node is not None else key,
        optional is not None and (optional.text or "").lower() == "true",
    )


def _container(node: YamlNode) -> Container:
    name = node.get("name")
    container = Container((name.text if name else None) or "", node, node.get("image"))
    container.command = (node.get("command") or YamlNode([], 0, 0)).items
    container.args = (node.get("args") or YamlNode([], 0, 0)).items
    for item in (node.get("env") or YamlNode([], 0, 0)).items:
        env_name = item.get("name")
        if env_name is None or not env_name.text:
            continue
        value_from = item.get("valueFrom")
        source = None
        other = False
        if value_from is not None:
            secret, config = value_from.get("secretKeyRef"), value_from.get("configMapKeyRef")
            if secret is not None:
                source = _env_source(secret, "Secret", None)
            elif config is not None:
                source = _env_source(config, "ConfigMap", None)
            other = source is None
        container.env.append(EnvEntry(env_name.text, item, item.get("value"), source, other))
    for item in (node.get("envFrom") or YamlNode([], 0, 0)).items:
        prefix = item.get("prefix")
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            reference = item.get(key)
            source = _env_source(reference, kind, None) if reference is not None else None
            if source is not None:
                source.prefix = (prefix.text or "") if prefix is not None else ""
                container.env_from.append((source, item))
    for item in (node.get("ports") or YamlNode([], 0, 0)).items:
        number = as_int(item.get("containerPort"))
        port_name = item.get("name")
        if number is not None:
            container.ports.append((number, (port_name.text or "") if port_name else "", item))
    for kind in ("readiness", "liveness", "startup"):
        probe_node = node.get(f"{kind}Probe")
        if probe_node is None:
            continue
        probe = Probe(kind, probe_node)
        for handler in ("httpGet", "tcpSocket", "grpc"):
            found = probe_node.get(handler)
            if found is not None:
                probe.port = found.get("port")
                probe.http_path = found.get("path") if handler == "httpGet" else None
        container.probes[kind] = probe
    for item in (node.get("volumeMounts") or YamlNode([], 0, 0)).items:
        volume, mount_path = item.get("name"), item.get("mountPath")
        if volume is not None and mount_path is not None:
            container.mounts.append((volume.text or "", mount_path.text or "", item))
    return container


def workload_of(resource: Resource) -> Workload | None:
    path = _POD_SPEC_PATHS.get(resource.kind)
    pod = resource.node.path(*path) if path else None
    if pod is None or not isinstance(pod.value, dict):
        return None
    containers = [_container(item) for item in (pod.get("containers") or YamlNode([], 0, 0)).items]
    init = [_container(item) for item in (pod.get("initContainers") or YamlNode([], 0, 0)).items]
    volumes = {}
    for item in (pod.get("volumes") or YamlNode([], 0, 0)).items:
        name = item.get("name")
        if name is not None and name.text:
            volumes[name.text] = item
    return Workload(
        resource,
        pod,
        containers,
        init,
        volumes,
        resource.node.path("spec", "replicas"),
        pod.get("terminationGracePeriodSeconds"),
    )


def config_keys(resource: Resource) -> dict[str, YamlNode]:
    """The keys a ConfigMap or Secret holds, each with its value node (`data` of a Secret is
    base64: `decoded_value` reads it)."""
    keys: dict[str, YamlNode] = {}
    for section in ("data", "stringData", "binaryData"):
        found = resource.node.get(section)
        if found is not None:
            keys.update(found.mapping)
    return keys


def decoded_value(resource: Resource, key: str) -> str | None:
    """The text of one key: `stringData` and ConfigMap `data` as they are, Secret `data` decoded."""
    string_data = resource.node.path("stringData", key)
    if string_data is not None:
        return string_data.text
    node = resource.node.path("data", key)
    if node is None or node.text is None:
        return None
    if resource.kind != "Secret":
        return node.text
    try:
        return base64.b64decode(node.text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
