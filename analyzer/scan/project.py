"""ProjectModel: the whole project as project rules see it, built once per run.

The dependency and container issues extend it with parsed manifests,
Dockerfiles and the Procfile; everything is computed lazily, so a run pays
only for what its enabled rules ask for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar, cast

from packaging.utils import canonicalize_name

from factorscan.core.cache import Cache
from factorscan.core.discovery import (
    DiscoveredFile,
    Discovery,
    display_path,
    has_root_marker,
    is_sample_path,
    relative_to_root,
)
from factorscan.core.errors import UsageError
from factorscan.core.findings import Location
from factorscan.core.settings import Settings
from factorscan.core.source import FileTooLargeError, SourceDecodeError, SourceFile, read_regular_file
from factorscan.core.templates import has_template_markup
from factorscan.deploy.container import (
    ComposeService,
    Process,
    ProcfileEntry,
    ScriptEnding,
    describe,
    parse_compose,
    parse_procfile,
    script_ending,
)
from factorscan.deploy.dockerfile import DEFAULT_SHELL, Dockerfile, Instruction, parse_shared
from factorscan.deploy.dockerfile import parse as parse_dockerfile
from factorscan.deploy.dockerignore import BuildContext, context_sources, guess_context
from factorscan.deploy.manifest_loading import load_manifests
from factorscan.deploy.manifests import Dependency, ImageInstall, Manifest, dockerfile_pip_installs
from factorscan.python.importmap import ImportResolver
from factorscan.python.imports import IMPORT_FACTS, ImportFact
from factorscan.python.installed import project_environment

if TYPE_CHECKING:
    from factorscan.deploy.deployment import DeploymentModel
    from factorscan.deploy.yaml_loader import YamlNode

T = TypeVar("T")
_Fact = TypeVar("_Fact", bound=tuple)


class ProjectModel:
    def __init__(
        self, root: Path, settings: Settings, files: list[DiscoveredFile], cache: Cache | None = None
    ) -> None:
        self.root = root
        self.settings = settings
        self.files = files
        self.cache = cache
        # Views of the project that several rules derive alike, computed once (`derived()`).
        self._derived: dict[str, Any] = {}
        self._sources: dict[Path, SourceFile | None] = {}
        self._facts: dict[str, dict[str, list[Any]]] = {}
        self._contexts: dict[Path, BuildContext] = {}
        # Problems met while reading project files, shown as warnings.
        self.warnings: list[str] = []
        # Dockerfiles and manifests holding template markup, left unread (core/templates.py).
        self.templated: set[Path] = set()

    # -- files -------------------------------------------------------------

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, once per scan: a view of the project that several rules share."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])

    def relative(self, path: Path) -> str:
        return relative_to_root(path, self.root)

    @staticmethod
    def display(path: Path) -> str:
        return display_path(path)

    def files_of_kind(self, *kinds: str) -> list[DiscoveredFile]:
        return [item for item in self.files if item.kind in kinds]

    @property
    def python_files(self) -> list[DiscoveredFile]:
        return self.files_of_kind("python")

    def paths_read(self) -> set[Path]:
        """Files project rules read themselves (manifests, Dockerfiles...)."""
        return {path for path, source in self._sources.items() if source is not None}

    def source(self, path: Path) -> SourceFile | None:
        """A project file's content, or None (with a warning) when unreadable."""
        if path not in self._sources:
            try:
                data = read_regular_file(path)
            except OSError as exc:
                self.warnings.append(f"{display_path(path)}: cannot read: {exc.strerror or exc}")
                self._sources[path] = None
            else:
                source = SourceFile(path, display_path(path), data, is_python=path.suffix == ".py")
                try:
                    text = source.text
                except SourceDecodeError as exc:
                    self.warnings.append(f"{display_path(path)}: {exc}")
                    self._sources[path] = None
                else:
                    templated = not source.is_python and has_template_markup(text)
                    if templated:
                        self.templated.add(path)  # a Jinja/cookiecutter source: nothing to read yet
                    self._sources[path] = None if templated else source
        return self._sources[path]

    # -- facts recorded by source visitors ------------------------------------

    def add_facts(self, relative_path: str, facts: dict[str, list[Any]]) -> None:
        for key, values in facts.items():
            self._facts.setdefault(key, {})[relative_path] = values

    def facts(self, kind: type[_Fact]) -> dict[str, list[_Fact]]:
        """relative path -> the `kind` facts (a NamedTuple) visitors recorded in that file.

        Facts come from the cache as JSON arrays and are rebuilt as `kind`."""
        return {
            relative_path: [kind._make(value) for value in values]  # type: ignore[attr-defined]
            for relative_path, values in self._facts.get(kind.__name__, {}).items()
        }

    def file_facts(self, code: str, kind: type[_Fact]) -> dict[str, _Fact]:
        """relative path -> the `kind` fact that rule `code`'s `file_facts` read from that file."""
        return {
            relative_path: kind._make(value)  # type: ignore[attr-defined]
            for relative_path, value in self._facts.get(code, {}).items()
        }

    def import_facts(self) -> dict[str, list[ImportFact]]:
        """relative path -> the imports of that file (for rules that declare `needs_import_facts`)."""
        return {
            relative_path: [ImportFact.from_dict(value) for value in values]
            for relative_path, values in self._facts.get(IMPORT_FACTS, {}).items()
        }

    # -- dependencies and first-party modules (factors I and II) ----------------
    #
    # Read from the whole project tree, not only the files named on the command
    # line: `factorscan app.py` must still know the project's manifests.

    def tree_files_of_kind(self, *kinds: str) -> list[DiscoveredFile]:
        """The project tree's files of these kinds (excludes and .gitignore applied)."""
        listing = self._tree_listing
        return [DiscoveredFile(self.root / relative, kind) for relative, kind in listing if kind in kinds]

    @cached_property
    def _tree_listing(self) -> list[tuple[str, str]]:
        """(path relative to the root, kind) for every file of the project tree."""
        # A file found by walking that sits directly in the root means the root itself
        # was walked: the scan already saw the whole tree.
        scanned = [(self.relative(item.path), item.kind) for item in self.files]
        if any(not item.explicit and item.path.parent == self.root for item in self.files):
            return scanned
        if not has_root_marker(self.root):
            # No project around the scanned files (a loose script in /tmp): the
            # folder is not a project to walk, only what was named is.
            return scanned
        key = self.settings.listing_key()
        listed = self.cache.tree(key) if self.cache is not None else None
        if listed is not None:
            return listed
        stamps: dict[str, int] = {}
        try:
            found = Discovery(self.settings, stamps).discover([self.root])
        except (UsageError, OSError):
            return scanned
        listing = [(self.relative(item.path), item.kind) for item in found]
        if self.cache is not None:
            self.cache.put_tree(key, stamps, listing)
        return listing

    @cached_property
    def _tree_paths(self) -> list[str]:
        return [relative for relative, _kind in self._tree_listing]

    def _read_text(self, relative_path: str) -> str | None:
        path = Path(os.path.normpath(self.root / relative_path))
        if not path.is_file():
            return None
        source = self.source(path)
        return source.text if source is not None else None

    @cached_property
    def manifests(self) -> list[Manifest]:
        """Every dependency manifest and lock file in the project, with the files they include."""
        manifests = load_manifests(self._tree_paths, self._read_text)
        for manifest in manifests:
            for line, message in manifest.problems:
                location = f"{self.display(self.root / manifest.path)}:{line}" if line else manifest.path
                self.warnings.append(f"{location}: {message}")
        return manifests

    @cached_property
    def declaring_manifests(self) -> list[Manifest]:
        """Manifests that declare dependencies (not lock or constraints files)."""
        return [manifest for manifest in self.manifests if manifest.declares and manifest.kind != "lock"]

    @cached_property
    def dependencies(self) -> list[Dependency]:
        """Every declared dependency, runtime and dev/test alike."""
        return [dep for manifest in self.declaring_manifests for dep in manifest.dependencies if dep.name]

    @cached_property
    def declared_names(self) -> frozenset[str]:
        return frozenset(dep.name for dep in self.dependencies)

    @cached_property
    def runtime_names(self) -> frozenset[str]:
        return frozenset(dep.name for dep in self.dependencies if dep.runtime)

    @cached_property
    def locked_names(self) -> frozenset[str]:
        """Names that lock files and constraints files pin (declared or pulled in transitively)."""
        return frozenset(
            dep.name
            for manifest in self.manifests
            if manifest.kind in ("lock", "constraints") or manifest.locked
            for dep in manifest.dependencies
            if dep.name and dep.pinned
        )

    @cached_property
    def dependencies_unknown(self) -> bool:
        """Some manifest computes its dependencies in a way that cannot be read statically."""
        return any(manifest.dynamic for manifest in self.declaring_manifests)

    def is_locked(self, manifest: Manifest) -> bool:
        """Whether a lock file, pip-compile output or hashed requirements file covers `manifest`."""
        here = PurePosixPath(manifest.path).parent
        for other in self.manifests:
            if not other.locked:
                continue
            there = PurePosixPath(other.path).parent
            if here == there or there in here.parents or here in there.parents:
                return True
        return False

    @cached_property
    def image_installs(self) -> list[tuple[str, ImageInstall]]:
        """(Dockerfile path, package) for each package a Dockerfile installs by name."""
        found = []
        for path in self._tree_paths:
            if self._kind(path) == "dockerfile":
                text = self._read_text(path)
                found += [(path, install) for install in dockerfile_pip_installs(text or "")]
        return found

    @cached_property
    def _image_pins(self) -> list[tuple[BuildContext, list[str], frozenset[str]]]:
        """Per Dockerfile whose `pip install`s are its only dependency declaration (no
        requirements file, no project install): its build context, COPY sources and the
        distributions it pins."""
        found: list[tuple[BuildContext, list[str], frozenset[str]]] = []
        for path, dockerfile in self.tree_dockerfiles.items():
            stages = dockerfile.stages_reaching_final()
            installs = dockerfile.pip_installs(stages)
            if any(install.requirement_files or install.local for install in installs) or any(
                _installs_a_manifest(command.argv) for _, command, _ in dockerfile.run_commands(stages)
            ):
                continue
            pinned: frozenset[str] = frozenset(
                canonicalize_name(requirement.name)
                for install in installs
                for requirement in install.requirements
                if requirement.pinned
            )
            if pinned:
                found.append((self.build_context(path), context_sources(dockerfile), pinned))
        return found

    def image_pinned(self, relative_path: str) -> frozenset[str]:
        """Distributions pinned by the `pip install` of an image that has no manifest and copies
        this file in: for the code that image runs (an integration-test image), its Dockerfile
        is the manifest."""
        names: frozenset[str] = frozenset()
        for context, sources, pinned in self._image_pins:
            inside = context.relative(self.root / relative_path)
            if inside is not None and any(context.sends(source, inside) for source in sources):
                names |= pinned
        return names

    def _kind(self, relative_path: str) -> str:
        return self._kinds.get(relative_path, "")

    @cached_property
    def _kinds(self) -> dict[str, str]:
        return dict(self._tree_listing)

    @cached_property
    def deployed_as_app(self) -> bool:
        """The project ships as an application (container, Procfile, compose, Django/WSGI entry).

        Files under tests/, docs/ and examples/ do not count: a library's sample app is not
        what the library deploys.
        """
        return any(
            (
                kind in ("dockerfile", "procfile", "compose")
                or path.rpartition("/")[2] == "manage.py"
                # mysite/wsgi.py, but not a framework's own django/core/wsgi.py
                or (path.rpartition("/")[2] in ("wsgi.py", "asgi.py") and path.count("/") <= 1)
            )
            and not is_sample_path(path)
            for path, kind in self._kinds.items()
        )

    @cached_property
    def is_library(self) -> bool:
        """Package metadata (pyproject [project], setup.py...) and nothing that deploys it as an app."""
        return not self.deployed_as_app and any(
            manifest.package_metadata and manifest.declares for manifest in self.declaring_manifests
        )

    @cached_property
    def entrypoints(self) -> dict[str, str]:
        """Console scripts the manifests declare: name -> "module:function"."""
        found: dict[str, str] = {}
        for manifest in self.manifests:
            found.update(manifest.entrypoints)
        return found

    @cached_property
    def repository_root(self) -> Path:
        """The enclosing version-control checkout (the codebase), else the project root."""
        for candidate in (self.root, *self.root.parents):
            if (candidate / ".git").exists() or (candidate / ".hg").exists():
                return candidate
        return self.root

    @cached_property
    def import_resolver(self) -> ImportResolver:
        return ImportResolver(
            self.settings.import_map, project_environment=project_environment(self.root), cache=self.cache
        )

    @cached_property
    def _python_layout(self) -> tuple[dict[str, set[str]], set[str]]:
        """(directory -> importable child names, package directories), from the Python files."""
        children: dict[str, set[str]] = {}
        packages: set[str] = set()
        for path, kind in self._kinds.items():
            if kind != "python":
                continue
            parts = path.split("/")
            if parts[-1] == "__init__.py":
                packages.add("/".join(parts[:-1]))
            for depth in range(len(parts)):
                directory = "/".join(parts[:depth]) or "."
                name = parts[depth].removesuffix(".py") if depth == len(parts) - 1 else parts[depth]
                if name.isidentifier():
                    children.setdefault(directory, set()).add(name)
        return children, packages

    @cached_property
    def first_party(self) -> frozenset[str]:
        """Top-level names the project itself provides, importable from anywhere in it.

        Modules and packages at the root and under `src/`-like folders, the
        folders holding each top-level package (regular or namespace), what
        the manifests name as packages, the project's own distribution name,
        and `known-first-party`.
        """
        children, packages = self._python_layout
        names = set(children.get(".", set())) | set(self.settings.known_first_party)
        for package in packages:
            parts = package.split("/")
            # The outermost package: its parent folder is a sys.path entry.
            top = len(parts)
            while top > 1 and "/".join(parts[: top - 1]) in packages:
                top -= 1
            parent = "/".join(parts[: top - 1]) or "."
            names |= children.get(parent, set())
            if parent != ".":
                names.add(parts[top - 2])  # a namespace package folder (src/ns/pkg)
        for manifest in self.manifests:
            names.update(manifest.packages)
            if manifest.dist_name:
                # `my-app` is importable as `my_app` once the project installs itself.
                names.add(manifest.dist_name.replace("-", "_").replace(".", "_"))
        return frozenset(name.split(".")[0] for name in names if name)

    def line_span(self, relative_path: str, line: int) -> tuple[str, Location, Location]:
        """(display path, start, end) covering one whole line of a project file, for manifest findings."""
        path = self.root / relative_path
        row = max(line, 1)
        source = self.source(Path(os.path.normpath(path)))
        width = len(source.line(row)) if source is not None else 0
        return self.display(path), Location(row, 1), Location(row, max(width, 1) + 1)

    @cached_property
    def scanned_paths(self) -> frozenset[str]:
        """The files of this run, relative to the root: project rules report only in these."""
        return frozenset(self.relative(item.path) for item in self.files)

    def node_span(self, node: YamlNode) -> tuple[str, Location, Location]:
        """(display path, start, end) of a YAML node of a deployment descriptor: the node when
        it sits on one line, else its first character."""
        start = Location(node.row, node.column)
        if node.end_row == node.row and node.end_column > node.column:
            end = Location(node.row, node.end_column)
        else:
            end = Location(node.row, node.column + 1)
        return self.display(self.root / node.origin), start, end

    def is_first_party(self, module: str, importer: str) -> bool:
        """Whether `module` (dotted) is the project's own code, seen from the file `importer`."""
        top = module.split(".", maxsplit=1)[0]
        if top in self.first_party:
            return True
        children, _packages = self._python_layout
        # The importer's own folder and its ancestors may each be on sys.path
        # (scripts run from there, Django projects nested one level down).
        directory = importer
        while directory:
            directory = directory.rpartition("/")[0]
            if top in children.get(directory or ".", ()):
                return True
        return False

    # -- containers and processes: Dockerfiles, Procfiles, compose, entrypoints --------

    @cached_property
    def dockerfiles(self) -> dict[Path, Dockerfile]:
        """Every Dockerfile, parsed; what buildkit would refuse is shown as a warning."""
        parsed = {}
        for item in self.files_of_kind("dockerfile"):
            source = self.source(item.path)
            if source is None:
                continue
            dockerfile = parse_dockerfile(source.text, source.display_path)
            for issue in dockerfile.issues:
                self.warnings.append(f"{source.display_path}:{issue.row}: {issue.message}")
            parsed[item.path] = dockerfile
        return parsed

    @cached_property
    def procfiles(self) -> dict[Path, list[ProcfileEntry]]:
        found = {}
        for item in self.files_of_kind("procfile"):
            source = self.source(item.path)
            if source is not None:
                found[item.path] = parse_procfile(source.text)
        return found

    @cached_property
    def compose_services(self) -> dict[Path, list[ComposeService]]:
        found = {}
        for item in self.files_of_kind("compose"):
            source = self.source(item.path)
            if source is not None:
                problems: list[str] = []
                found[item.path] = parse_compose(source.text, problems)
                self.warnings.extend(f"{source.display_path}: {problem}" for problem in problems)
        return found

    @cached_property
    def entrypoint_scripts(self) -> dict[Path, EntrypointScript]:
        """Dockerfile -> the shell script its final ENTRYPOINT/CMD runs, when the project has it."""
        found = {}
        for path, dockerfile in self.dockerfiles.items():
            process = dockerfile_process(dockerfile)
            if process is None or not process.program:
                continue
            script = self._find_script(path, dockerfile, process.program)
            if script is not None:
                found[path] = script
        return found

    @cached_property
    def processes(self) -> list[DeclaredProcess]:
        """Every process the project declares: Procfile entries, each Dockerfile's final
        command (seen through its entrypoint script) and compose command overrides."""
        found = []
        for path, entries in self.procfiles.items():
            for entry in entries:
                argv = [word.text for word in entry.words()]
                found.append(DeclaredProcess(path, "procfile", entry.name, entry.row, describe(argv)))
        for path, dockerfile in self.dockerfiles.items():
            process = dockerfile_process(dockerfile)
            if process is None:
                continue
            entrypoint, cmd = dockerfile.final_command()
            script = self.entrypoint_scripts.get(path)
            if script is not None and script.ending.process is not None:
                inner = script.ending.process
                process = describe(command_argv(cmd)) if inner.runs_arguments and cmd is not None else inner
            declaration = cmd or entrypoint
            row = declaration.start_row if declaration is not None else 1
            found.append(DeclaredProcess(path, "dockerfile", "CMD", row, process))
        for path, services in self.compose_services.items():
            for service in services:
                argv = service.process_argv()
                node = service.command or service.entrypoint
                if argv and node is not None:
                    found.append(DeclaredProcess(path, "compose", service.name, node.row, describe(argv)))
        return found

    @cached_property
    def deployment(self) -> DeploymentModel:
        """Kubernetes, kustomize, Helm, compose, skaffold and Tilt descriptors of the project tree,
        read on first use: a scan whose rules never ask, or a tree without them, pays nothing
        (the model's modules are imported here for the same reason)."""
        from factorscan.deploy.deployment import DeploymentModel

        return DeploymentModel(self._tree_listing, self._read_deploy_file, self.dockerfile_env, self.warnings)

    def container_process(self, command: list[str], args: list[str]) -> Process | None:
        """What a deployed container runs: its own `command` (with `args`), else the image's
        CMD (with `args` in its place) when the project has one Dockerfile."""
        if command:
            return describe([*command, *args])
        images = [item for item in self.processes if item.origin == "dockerfile"]
        if len(images) != 1:
            return None
        if args:
            entrypoint, _cmd = next(iter(self.dockerfiles.values())).final_command()
            return describe([*command_argv(entrypoint), *args]) if entrypoint is not None else describe(args)
        return images[0].process

    def _read_deploy_file(self, relative_path: str) -> str | None:
        """A descriptor's text; one over `max-file-size` is left out with a warning.

        Read with `os` calls rather than through `source()`: a deployment may have hundreds
        of descriptors, and each is read once by the model, which keeps the text."""
        path = os.path.normpath(os.path.join(self.root, relative_path))
        try:
            data = read_regular_file(path, self.settings.max_file_size)
        except FileTooLargeError as exc:
            self.warnings.append(
                f"{display_path(Path(path))}: skipped, {exc.size} bytes is over max-file-size "
                f"({self.settings.max_file_size})"
            )
            return None
        except OSError:  # missing (kustomize tries folders as files), a folder, a FIFO, unreadable
            return None
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", errors="replace")

    def dockerfile_env(self) -> dict[str, list[tuple[str, str]]]:
        """Dockerfile (relative path) -> the (name, value) pairs its final stage's ENV sets."""
        found = {}
        for path, dockerfile in self.tree_dockerfiles.items():
            final = dockerfile.final_stage
            if final is not None:
                found[self.relative(path)] = list(final.env.items())
        return found

    @cached_property
    def tree_dockerfiles(self) -> dict[Path, Dockerfile]:
        """Every Dockerfile in the project tree, scanned or not (`dockerfiles` warns about the
        scanned ones): what a Python file is judged against when only it was named."""
        found = {}
        for item in self.tree_files_of_kind("dockerfile"):
            source = self.source(item.path)
            if source is not None:
                found[item.path] = parse_shared(source.text, source.display_path)
        return found

    @cached_property
    def _declared_contexts(self) -> list[tuple[Path, Path]]:
        """(Dockerfile, build context) pairs that compose files in the tree declare."""
        pairs = []
        for item in self.tree_files_of_kind("compose"):
            source = self.source(item.path)
            for service in parse_compose(source.text) if source is not None else ():
                if service.build_context is None or "$" in service.build_context:
                    continue
                context = Path(os.path.normpath(item.path.parent / service.build_context))
                dockerfile = Path(os.path.normpath(context / (service.dockerfile or "Dockerfile")))
                pairs.append((dockerfile, context))
        return pairs

    def build_context(self, dockerfile: Path) -> BuildContext:
        """The build context of a Dockerfile (compose `build.context`, else a guess from its
        COPY sources), with its .dockerignore."""
        if dockerfile not in self._contexts:
            parsed = self.tree_dockerfiles.get(dockerfile) or self.dockerfiles.get(dockerfile)
            folder = (
                guess_context(dockerfile, parsed, self.root, self._declared_contexts)
                if parsed is not None
                else dockerfile.parent
            )
            self._contexts[dockerfile] = BuildContext.load(folder, dockerfile)
        return self._contexts[dockerfile]

    def _build_contexts(self, folder: Path) -> list[Path]:
        """`folder` and its parents up to the project's root, nearest first."""
        folders = [folder]
        while folders[-1] != self.root and self.root in folders[-1].parents:
            folders.append(folders[-1].parent)
        return folders

    def _find_script(self, path: Path, dockerfile: Dockerfile, program: str) -> EntrypointScript | None:
        """The file behind `/docker-entrypoint.sh`: a COPY into that path, else a shell file of that name."""
        context = path.parent
        name = program.rsplit("/", 1)[-1]
        for copy in dockerfile.copies(dockerfile.stages_reaching_final()):
            if copy.from_stage is not None or copy.from_image is not None:
                continue
            for source_name in copy.sources:
                destination = copy.destination
                if destination.endswith("/") or len(copy.sources) > 1:
                    destination = destination.rstrip("/") + "/" + source_name.rsplit("/", 1)[-1]
                if destination.rsplit("/", 1)[-1] != name:
                    continue
                if copy.heredoc:
                    heredoc = next(
                        (h for h in copy.instruction.heredocs if f"<<{h.name}" in source_name), None
                    )
                    if heredoc is not None:
                        return EntrypointScript(
                            path, heredoc.text, heredoc.start_row, script_ending(heredoc.text)
                        )
                    continue
                # The build context is the Dockerfile's folder or, as often, a folder above
                # it (`docker build -f docker/Dockerfile .`).
                for folder in self._build_contexts(context):
                    candidate = folder / source_name
                    if candidate.is_file():
                        source = self.source(candidate)
                        if source is not None:
                            return EntrypointScript(candidate, source.text, 1, script_ending(source.text))
        for copy in dockerfile.copies(dockerfile.stages_reaching_final()):
            # `COPY . /app` then `/app/bin/start`: the script is `bin/start` of the copied folder.
            if copy.from_stage is not None or copy.from_image is not None or len(copy.sources) != 1:
                continue
            inside = _path_inside(program, copy.destination)
            if inside is None:
                continue
            for folder in self._build_contexts(context):
                candidate = Path(os.path.normpath(folder / copy.sources[0] / inside))
                source = self.source(candidate) if candidate.is_file() else None
                if source is not None:
                    return EntrypointScript(candidate, source.text, 1, script_ending(source.text))
        return self._shell_named(name, context)

    def script_run_by(self, program: str, dockerfile: Path | None = None) -> EntrypointScript | None:
        """The project's shell script behind a program a start command names (`/start`,
        `./bin/run.sh`), through `dockerfile`'s COPY lines (else any Dockerfile's), else by name."""
        if dockerfile in self.dockerfiles:
            candidates = [dockerfile]
        else:
            candidates = list(self.dockerfiles)
        for path in candidates:
            found = self._find_script(path, self.dockerfiles[path], program)
            if found is not None:
                return found
        return self._shell_named(program.rsplit("/", 1)[-1], self.root) if not candidates else None

    def _shell_named(self, name: str, context: Path) -> EntrypointScript | None:
        """A shell file of the project by name, the nearest to `context` first."""
        shells = [item.path for item in self.files_of_kind("shell") if item.path.name == name]
        shells.sort(key=lambda item: (not item.is_relative_to(context), len(item.parts)))
        for candidate in shells:
            source = self.source(candidate)
            if source is not None:
                return EntrypointScript(candidate, source.text, 1, script_ending(source.text))
        return None


@dataclass(frozen=True)
class DeclaredProcess:
    """A process the project declares, and where."""

    path: Path  # the Procfile, Dockerfile or compose file
    origin: str  # procfile | dockerfile | compose
    name: str  # process type, "CMD", or compose service
    row: int
    process: Process


@dataclass(frozen=True)
class EntrypointScript:
    path: Path  # the script file (the Dockerfile itself for a COPY heredoc)
    text: str
    first_row: int  # the row of the script's first line in `path`
    ending: ScriptEnding


# Installers that read a project manifest (pip's own `-r` and `.` are in PipInstall).
_MANIFEST_INSTALLS = {
    ("poetry", "install"),
    ("uv", "sync"),
    ("pipenv", "install"),
    ("pipenv", "sync"),
    ("pdm", "install"),
    ("pdm", "sync"),
}


def _path_inside(program: str, folder: str) -> str | None:
    """`bin/start` for `/app/bin/start` in `/app` (or `./bin/start` in `.`), else None; only
    for a path to a program that is not Python (`./manage.py` is no shell script)."""
    if "/" not in program or program.endswith(".py"):
        return None
    if folder in (".", "./"):
        return None if program.startswith("/") else program.removeprefix("./") or None
    prefix = folder.rstrip("/") + "/"
    return program[len(prefix) :] or None if program.startswith(prefix) else None


def _installs_a_manifest(argv: list[str]) -> bool:
    return tuple(argv[:2]) in _MANIFEST_INSTALLS


def command_argv(instruction: Instruction | None, shell: tuple[str, ...] = DEFAULT_SHELL) -> list[str]:
    """The argv Docker runs for a CMD/ENTRYPOINT: exec form as is, shell form under the shell."""
    if instruction is None:
        return []
    if instruction.json is not None:
        return list(instruction.json)
    return [*shell, instruction.arguments.strip()] if instruction.arguments.strip() else []


def dockerfile_process(dockerfile: Dockerfile) -> Process | None:
    """The final image's process: ENTRYPOINT (plus CMD as its arguments) or CMD alone."""
    entrypoint, cmd = dockerfile.final_command()
    final = dockerfile.final_stage
    if final is None or (entrypoint is None and cmd is None):
        return None
    argv = command_argv(entrypoint, final.shell)
    if entrypoint is None or entrypoint.json is not None:
        argv += command_argv(cmd, final.shell)
    return describe(argv)
