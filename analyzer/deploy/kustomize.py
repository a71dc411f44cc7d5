"""kustomize builds, for the subset that decides what a container gets.

A kustomization folder renders to resources: its `resources`, `bases` and
`components` (files, or folders with their own kustomization, built
recursively), its `configMapGenerator`/`secretGenerator` (literals, env
files, files), its patches (strategic merge: `patchesStrategicMerge` and
`patches` without a JSON list; JSON 6902: `patchesJson6902` and `patches`
holding a list of operations), `images:` and `replicas:`. Name prefixes and
suffixes are left out: kustomize rewrites references along with names, so
names as written still pair a reference with what it names. A remote base
(a URL) makes the build open-ended: `external` says so.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from factorscan.deploy.k8s import Resource, resource_of
from factorscan.deploy.yaml_loader import YamlError, YamlNode, load_documents

__all__ = ["KUSTOMIZATION_NAMES", "KustomizeBuild", "Sources", "build_kustomization", "clone"]

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_MAX_DEPTH = 20
# Lists that strategic merge merges item by item, by this key (the rest are replaced).
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}
# What kustomize's `replicas:` sets.
_SCALABLE = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$")

ReadText = Callable[[str], "str | None"]


class Sources:
    """The project's files as builds read them: each file's documents are loaded once, and
    each kustomization is built once (an overlay copies its base's resources)."""

    def __init__(self, read_text: ReadText) -> None:
        self.read_text = read_text
        self._documents: dict[str, list[YamlNode] | YamlError] = {}
        self.builds: dict[str, KustomizeBuild] = {}

    def documents(self, path: str, text: str) -> list[YamlNode]:
        """The documents of `path` (whose content is `text`); raises `YamlError`. Shared: clone
        before changing them."""
        if path not in self._documents:
            try:
                self._documents[path] = load_documents(text, path)
            except YamlError as exc:
                self._documents[path] = exc
        found = self._documents[path]
        if isinstance(found, YamlError):
            raise found
        return found


@dataclass
class KustomizeBuild:
    folder: str  # relative to the project root
    resources: list[Resource] = field(default_factory=list)
    external: bool = False  # a remote base or resource: what it adds is unknown
    included: set[str] = field(default_factory=set)  # every file and folder the build read
    problems: list[str] = field(default_factory=list)


def clone(node: YamlNode) -> YamlNode:
    """A copy whose mappings and sequences can be patched without touching `node` (scalars are shared)."""
    if isinstance(node.value, dict):
        return _with(node, {key: clone(value) for key, value in node.value.items()})
    if isinstance(node.value, list):
        return _with(node, [clone(item) for item in node.value])
    return node


def _with(node: YamlNode, value: str | list[YamlNode] | dict[str, YamlNode]) -> YamlNode:
    return replace(node, value=value)


def find_kustomization(folder: str, read_text: ReadText) -> tuple[str, str] | None:
    for name in KUSTOMIZATION_NAMES:
        path = posixpath.join(folder, name) if folder not in ("", ".") else name
        text = read_text(path)
        if text is not None:
            return path, text
    return None


def build_kustomization(folder: str, sources: Sources, depth: int = 0) -> KustomizeBuild:
    if folder in sources.builds:
        return sources.builds[folder]
    build = KustomizeBuild(folder)
    sources.builds[folder] = build
    read_text = sources.read_text
    found = find_kustomization(folder, read_text)
    if found is None:
        build.problems.append(f"{folder}: no kustomization file")
        return build
    path, text = found
    build.included.add(path)
    try:
        documents = sources.documents(path, text)
    except YamlError as exc:
        build.problems.append(f"{path}: {exc}")
        return build
    root = documents[0] if documents else YamlNode({}, 1, 1, origin=path)
    for key in ("resources", "bases", "components"):
        for entry in (root.get(key) or YamlNode([], 0, 0)).items:
            _include(build, folder, entry.text or "", sources, depth)
    for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for entry in (root.get(key) or YamlNode([], 0, 0)).items:
            _generate(build, folder, kind, entry, read_text)
    _apply_patches(build, folder, root, sources)
    for entry in (root.get("images") or YamlNode([], 0, 0)).items:
        _set_image(build, entry)
    for entry in (root.get("replicas") or YamlNode([], 0, 0)).items:
        name, count = entry.get("name"), entry.get("count")
        for resource in build.resources:
            if resource.kind not in _SCALABLE:
                continue  # a Service may share the Deployment's name
            if name is not None and count is not None and resource.name == name.text:
                spec = resource.node.get("spec")
                if spec is not None and isinstance(spec.value, dict):
                    spec.value["replicas"] = count
    return build


def _include(build: KustomizeBuild, folder: str, entry: str, sources: Sources, depth: int) -> None:
    if not entry:
        return
    if "://" in entry or entry.startswith(("github.com/", "git@", "ssh:")):
        build.external = True
        return
    path = posixpath.normpath(posixpath.join(folder, entry))
    if path.startswith("../") or path == "..":
        build.external = True  # outside the project
        return
    text = sources.read_text(path)
    if text is None:
        if depth >= _MAX_DEPTH:
            build.problems.append(f"{path}: kustomizations nested more than {_MAX_DEPTH} deep")
            return
        inner = build_kustomization(path, sources, depth + 1)
        if inner.problems and not inner.included:
            build.problems.append(f"{build.folder}: resource {entry!r} is neither a file nor a kustomization")
            return
        build.resources.extend(Resource(r.kind, r.name, clone(r.node)) for r in inner.resources)
        build.external |= inner.external
        build.included |= inner.included | {path}
        return
    build.included.add(path)
    try:
        documents = sources.documents(path, text)
    except YamlError as exc:
        build.problems.append(f"{path}: {exc}")
        return
    for document in documents:
        resource = resource_of(document)
        if resource is not None:
            build.resources.append(Resource(resource.kind, resource.name, clone(resource.node)))


def _scalar(text: str, at: YamlNode, origin: str | None = None, row: int | None = None) -> YamlNode:
    return YamlNode(
        text, row or at.row, at.column if row is None else 1, quoted=True, origin=origin or at.origin
    )


def _generate(build: KustomizeBuild, folder: str, kind: str, entry: YamlNode, read_text: ReadText) -> None:
    name = entry.get("name")
    if name is None or not name.text:
        return
    data: dict[str, YamlNode] = {}
    for literal in (entry.get("literals") or YamlNode([], 0, 0)).items:
        key, _, value = (literal.text or "").partition("=")
        if key:
            data[key.strip()] = _scalar(value.strip().strip("\"'"), literal)
    env_files = [item.text or "" for item in (entry.get("envs") or YamlNode([], 0, 0)).items]
    single = entry.get("env")
    if single is not None and single.text:
        env_files.append(single.text)
    for env_file in env_files:
        path = posixpath.normpath(posixpath.join(folder, env_file))
        text = read_text(path)
        if text is None:
            build.problems.append(f"{entry.origin}:{entry.row}: {env_file} not found")
            continue
        build.included.add(path)
        for row, line in enumerate(text.splitlines(), start=1):
            match = _ENV_LINE.match(line)
            if match and not line.lstrip().startswith("#"):
                data[match.group(1)] = _scalar(match.group(2).strip().strip("\"'"), entry, path, row)
    for item in (entry.get("files") or YamlNode([], 0, 0)).items:
        key, _, file_name = (item.text or "").rpartition("=")
        file_name = file_name or key
        data[key or posixpath.basename(file_name)] = _scalar("", item)
    # Generators take plain text, as a Secret's stringData does (its `data` is base64).
    section_name = "stringData" if kind == "Secret" else "data"
    behavior = entry.get("behavior")
    existing = next((r for r in build.resources if r.kind == kind and r.name == name.text), None)
    if existing is not None and behavior is not None and behavior.text in ("merge", "replace"):
        section = existing.node.get(section_name)
        if behavior.text == "merge" and section is not None and isinstance(section.value, dict):
            section.value.update(data)
            return
        build.resources.remove(existing)
    document = YamlNode(
        {
            "kind": _scalar(kind, entry),
            "metadata": YamlNode({"name": name}, entry.row, entry.column, origin=entry.origin),
            section_name: YamlNode(data, entry.row, entry.column, origin=entry.origin),
        },
        entry.row,
        entry.column,
        origin=entry.origin,
    )
    build.resources.append(Resource(kind, name.text, document))


# -- patches ---------------------------------------------------------------------------


def _apply_patches(build: KustomizeBuild, folder: str, root: YamlNode, sources: Sources) -> None:
    entries: list[tuple[YamlNode | None, YamlNode | None, str | None, YamlNode]] = []  # target, patch, path
    for item in (root.get("patchesStrategicMerge") or YamlNode([], 0, 0)).items:
        written = item.text or ""  # a file name, or a patch written inline
        entries.append(
            (None, None, written, item) if "\n" not in written else (None, _inline(written, item), None, item)
        )
    for key in ("patches", "patchesJson6902"):
        for item in (root.get(key) or YamlNode([], 0, 0)).items:
            if item.text is not None:  # `patches: [file.yaml]`, the short form
                entries.append((None, None, item.text, item))
                continue
            inline = item.get("patch")
            patch = _inline(inline.text or "", inline) if inline is not None else None
            file_node = item.get("path")
            entries.append((item.get("target"), patch, file_node.text if file_node else None, item))
    for target, patch, file_name, where in entries:
        if patch is None and file_name:
            path = posixpath.normpath(posixpath.join(folder, file_name))
            text = sources.read_text(path)
            if text is None:
                build.problems.append(f"{where.origin}:{where.row}: patch {file_name} not found")
                continue
            build.included.add(path)
            try:
                patches = [clone(document) for document in sources.documents(path, text)]
            except YamlError as exc:
                build.problems.append(f"{path}: {exc}")
                continue
        else:
            patches = [patch] if patch is not None else []
        for document in patches:
            if isinstance(document.value, list):
                for resource in _targets(build, target, None):
                    _json_patch(resource.node, document)
            elif isinstance(document.value, dict):
                for resource in _targets(build, target, document):
                    _strategic_merge(resource.node, document)


def _inline(text: str, at: YamlNode) -> YamlNode | None:
    try:
        documents = load_documents(text, at.origin)
    except YamlError:
        return None
    # Positions inside an inline patch count from its own first line.
    for document in documents:
        for node in document.walk():
            node.row += at.row - 1
    return documents[0] if documents else None


def _targets(build: KustomizeBuild, target: YamlNode | None, patch: YamlNode | None) -> list[Resource]:
    kind = name = None
    if target is not None:
        kind = (target.get("kind") or YamlNode("", 0, 0)).text or None
        name = (target.get("name") or YamlNode("", 0, 0)).text or None
    elif patch is not None:
        kind = (patch.get("kind") or YamlNode("", 0, 0)).text or None
        found = patch.path("metadata", "name")
        name = found.text if found is not None else None
    return [
        resource
        for resource in build.resources
        if (kind is None or resource.kind == kind)
        and (name is None or re.fullmatch(name, resource.name) is not None)
    ]


def _strategic_merge(base: YamlNode, patch: YamlNode, key: str = "") -> None:
    if not isinstance(base.value, dict) or not isinstance(patch.value, dict):
        return
    for name, value in patch.value.items():
        if name in ("apiVersion", "kind") and not key:
            continue
        current = base.value.get(name)
        if isinstance(value.value, dict) and current is not None and isinstance(current.value, dict):
            _strategic_merge(current, value, name)
        elif isinstance(value.value, list) and current is not None and isinstance(current.value, list):
            merge_key = _MERGE_KEYS.get(name)
            if merge_key is None:
                base.value[name] = value
                continue
            for item in value.value:
                wanted = item.get(merge_key)
                match = next(
                    (
                        existing
                        for existing in current.value
                        if wanted is not None
                        and (existing.get(merge_key) or YamlNode("", 0, 0)).text == wanted.text
                    ),
                    None,
                )
                directive = item.get("$patch")
                if match is not None and directive is not None and directive.text == "delete":
                    current.value.remove(match)
                elif match is not None:
                    _strategic_merge(match, item, name)
                else:
                    current.value.append(item)
        elif value.null and not value.quoted:
            base.value.pop(name, None)  # `key: null` deletes it
        else:
            base.value[name] = value


def _json_patch(document: YamlNode, operations: YamlNode) -> None:
    for operation in operations.items:
        op, path = operation.get("op"), operation.get("path")
        if op is None or path is None or not path.text:
            continue
        steps = [step.replace("~1", "/").replace("~0", "~") for step in path.text.strip("/").split("/")]
        parent: YamlNode | None = document
        for step in steps[:-1]:
            parent = _step(parent, step)
        if parent is None:
            continue
        last, value = steps[-1], operation.get("value")
        if isinstance(parent.value, dict):
            if op.text in ("add", "replace") and value is not None:
                parent.value[last] = value
            elif op.text == "remove":
                parent.value.pop(last, None)
        elif isinstance(parent.value, list):
            index = len(parent.value) if last == "-" else int(last) if last.isdigit() else None
            if index is None or index > len(parent.value):
                continue
            if op.text == "add" and value is not None:
                parent.value.insert(index, value)
            elif op.text == "replace" and value is not None and index < len(parent.value):
                parent.value[index] = value
            elif op.text == "remove" and index < len(parent.value):
                del parent.value[index]


def _step(node: YamlNode | None, step: str) -> YamlNode | None:
    if node is None:
        return None
    if isinstance(node.value, list):
        return node.value[int(step)] if step.isdigit() and int(step) < len(node.value) else None
    return node.get(step)


def _set_image(build: KustomizeBuild, entry: YamlNode) -> None:
    name = entry.get("name")
    if name is None or not name.text:
        return
    new_name, new_tag, digest = (entry.get(key) for key in ("newName", "newTag", "digest"))
    for resource in build.resources:
        for node in resource.node.walk():
            image = node.get("image") if isinstance(node.value, dict) and node.get("name") else None
            if image is None or image.text is None:
                continue
            repository, tag = split_image(image.text)
            if repository != name.text:
                continue
            repository = new_name.text or repository if new_name is not None else repository
            if digest is not None and digest.text:
                text, at = f"{repository}@{digest.text}", digest
            elif new_tag is not None and new_tag.text:
                text, at = f"{repository}:{new_tag.text}", new_tag
            else:
                text, at = f"{repository}{tag}", new_name or entry
            assert isinstance(node.value, dict)
            node.value["image"] = _scalar(text, at)


def split_image(image: str) -> tuple[str, str]:
    """(repository, the rest: `:tag`, `@digest` or ""), e.g. `registry:5000/web:1.2` ->
    (`registry:5000/web`, `:1.2`)."""
    at = image.find("@")
    if at != -1:
        return image[:at], image[at:]
    colon = image.rfind(":")
    if colon > image.rfind("/"):
        return image[:colon], image[colon:]
    return image, ""
