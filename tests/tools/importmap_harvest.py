"""Harvest what real wheels install into tests/tools/importmap_wheels.tsv.

    python -m tests.tools.importmap_harvest DIR [DIR ...] [--output FILE]

Each DIR holds wheel files, for example filled with
`pip download --no-deps --only-binary :all: -d DIR NAME ...`. For every wheel the
harvest records, from its RECORD and METADATA (nothing is installed or run):

- the distribution's canonical name;
- the import names it installs: top-level packages and modules, and for a
  namespace package (a top-level folder without `__init__.py`, such as
  `opentelemetry` or `google`) the dotted names one level below it;
- the distributions it requires outside extras.

The TSV is committed; `python -m tests.tools.importmap_build` turns it, with the
curated rows there, into analyzer/data/import_names.json. Re-harvesting with
more wheels only adds or updates rows, so the table grows by review of its diff.
"""

from __future__ import annotations

import argparse
import email.parser
import re
import sys
import zipfile
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

DEFAULT_HARVEST = Path(__file__).resolve().parent / "importmap_wheels.tsv"

# Folders that some wheels ship at the top level by mistake; no app imports them from a package.
_NOT_IMPORTS = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "scripts", "typings"}
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CODE = (".py", ".pyi", ".so", ".pyd")


class Harvest:
    """One wheel's facts: what it is called, what it installs, what it requires."""

    def __init__(self, distribution: str, imports: list[str], requires: list[str]) -> None:
        self.distribution = distribution
        self.imports = imports
        self.requires = requires

    def row(self) -> str:
        return f"{self.distribution}\t{' '.join(self.imports)}\t{' '.join(self.requires)}"


def _module_name(part: str) -> str | None:
    """`six.py` -> six, `_cffi.cpython-311-x86_64-linux-gnu.so` -> _cffi, a folder -> itself."""
    name = part.split(".", 1)[0] if part.endswith(_CODE) else part
    if "." in part and not part.endswith(_CODE):
        return None
    if not _IDENTIFIER.fullmatch(name) or name.startswith("__") or name in _NOT_IMPORTS:
        return None
    return name


def _imports(paths: list[PurePosixPath]) -> list[str]:
    tree: dict[str, dict] = {}
    for path in paths:
        parts = path.parts
        if not parts or parts[0].endswith((".dist-info", ".data")) or parts[0] == "..":
            continue
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    found: list[str] = []
    _collect(tree, "", found)
    return sorted(set(found))


def _collect(folder: dict[str, dict], prefix: str, found: list[str]) -> None:
    """Packages and modules of `folder`; a folder without `__init__` is a namespace, entered."""
    for entry, children in folder.items():
        name = _module_name(entry)
        if name is None:
            continue
        if not children:  # a file
            if entry.endswith(_CODE):
                found.append(prefix + name)
        elif "__init__.py" in children or "__init__.pyi" in children:
            found.append(prefix + name)
        elif "." not in entry:
            _collect(children, f"{prefix}{name}.", found)


def _requires(metadata: str) -> list[str]:
    message = email.parser.Parser().parsestr(metadata, headersonly=True)
    names: set[str] = set()
    for text in message.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or "extra" not in str(requirement.marker):
            names.add(canonicalize_name(requirement.name))
    return sorted(names)


def harvest_wheel(path: Path) -> Harvest | None:
    """The facts of one wheel, or None when it is not a readable wheel."""
    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
            info = next(
                (
                    name.split("/")[0]
                    for name in names
                    if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
                ),
                None,
            )
            if info is None:
                return None
            metadata = wheel.read(f"{info}/METADATA").decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    distribution = email.parser.Parser().parsestr(metadata, headersonly=True).get("Name")
    if not distribution:
        return None
    paths = [PurePosixPath(name) for name in names if not name.endswith("/")]
    return Harvest(canonicalize_name(distribution), _imports(paths), _requires(metadata))


def read_harvest(path: Path = DEFAULT_HARVEST) -> dict[str, Harvest]:
    found: dict[str, Harvest] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        distribution, imports, requires = line.split("\t")
        found[distribution] = Harvest(distribution, imports.split(), requires.split())
    return found


def write_harvest(rows: dict[str, Harvest], path: Path = DEFAULT_HARVEST) -> None:
    header = "# distribution\timport names\trequires (written by python -m tests.tools.importmap_harvest)\n"
    path.write_text(header + "".join(rows[name].row() + "\n" for name in sorted(rows)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.tools.importmap_harvest", description=(__doc__ or "").split("\n", 1)[0]
    )
    parser.add_argument("folders", nargs="+", type=Path, help="folders holding .whl files")
    parser.add_argument("--output", type=Path, default=DEFAULT_HARVEST)
    args = parser.parse_args(argv)
    rows = read_harvest(args.output) if args.output.exists() else {}
    added = 0
    for folder in args.folders:
        for wheel in sorted(folder.glob("*.whl")):
            harvest = harvest_wheel(wheel)
            if harvest is not None:
                added += harvest.distribution not in rows
                rows[harvest.distribution] = harvest
    write_harvest(rows, args.output)
    print(f"wrote {args.output}: {len(rows)} distributions ({added} new)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
