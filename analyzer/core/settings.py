"""`[tool.factorscan]` in pyproject.toml, merged with command-line overrides."""

from __future__ import annotations

import difflib
import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from factorscan.core.errors import ConfigError
from factorscan.core.templates import has_template_markup

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    ".env",
    "node_modules",
    "build",
    "dist",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".eggs",
    "*.egg-info",
    ".factorscan_cache",
)

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


@dataclass
class Settings:
    select: list[str] | None = None  # None: every rule
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    unsafe_fixes: bool = False
    cache_dir: str | None = None
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    known_first_party: list[str] = field(default_factory=list)
    import_map: dict[str, str] = field(default_factory=dict)
    secret_names: list[str] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)

    # Where the settings came from; not configurable keys.
    config_file: Path | None = field(default=None, compare=False)
    project_root: Path = field(default_factory=Path.cwd, compare=False)

    def listing_key(self) -> str:
        """Hash of what decides which files a walk of the project finds."""
        data = [self.exclude, self.extend_exclude, self.respect_gitignore, str(self.project_root)]
        return hashlib.blake2b(json.dumps(data).encode(), digest_size=8).hexdigest()

    def analysis_key(self) -> str:
        """Hash of everything that can change a file's findings (for the cache)."""
        data = {name: value for name, value in asdict(self).items() if name in _ANALYSIS_KEYS}
        return hashlib.blake2b(
            json.dumps(data, sort_keys=True, default=str).encode(), digest_size=8
        ).hexdigest()


# Keys that only decide which files are read or how results are filtered do
# not change a file's own findings, so they stay out of the cache key.
_ANALYSIS_KEYS = {
    "select",
    "extend_select",
    "ignore",
    "known_first_party",
    "import_map",
    "secret_names",
    "allowed_hosts",
}

_LIST_OF_STR = "a list of strings"


def _expect_list_of_str(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"[tool.factorscan] {key} must be {_LIST_OF_STR}")
    return list(value)


def _expect_bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"[tool.factorscan] {key} must be true or false")
    return value


def _expect_str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"[tool.factorscan] {key} must be a non-empty string")
    return value


def _expect_positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"[tool.factorscan] {key} must be a positive integer")
    return value


def _expect_str_map(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"[tool.factorscan] {key} must be a table of strings")
    return dict(value)


def _expect_ignores_map(key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"[tool.factorscan] {key} must be a table of glob = [codes]")
    return {
        str(pattern): _expect_list_of_str(f"{key}.{pattern!r}", codes) for pattern, codes in value.items()
    }


_VALIDATORS = {
    "select": _expect_list_of_str,
    "extend-select": _expect_list_of_str,
    "ignore": _expect_list_of_str,
    "exclude": _expect_list_of_str,
    "extend-exclude": _expect_list_of_str,
    "per-file-ignores": _expect_ignores_map,
    "unsafe-fixes": _expect_bool,
    "cache-dir": _expect_str,
    "respect-gitignore": _expect_bool,
    "max-file-size": _expect_positive_int,
    "known-first-party": _expect_list_of_str,
    "import-map": _expect_str_map,
    "secret-names": _expect_list_of_str,
    "allowed-hosts": _expect_list_of_str,
}

CONFIG_KEYS = tuple(_VALIDATORS)
assert {key.replace("-", "_") for key in CONFIG_KEYS} <= {f.name for f in fields(Settings)}


def read_pyproject(path: Path) -> dict[str, Any]:
    """Parse a pyproject.toml, turning every failure into a one-line ConfigError."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{config_display(path)}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        if has_template_markup(path.read_text(encoding="utf-8", errors="replace")):
            return {}  # a Jinja/cookiecutter template of a pyproject.toml: no configuration yet
        raise ConfigError(f"{config_display(path)}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{config_display(path)}: invalid TOML: not UTF-8") from None


def find_config_file(start: Path, stop: Path) -> Path | None:
    """The nearest pyproject.toml from `start` up to the project root `stop`."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            return pyproject
        if candidate == stop:
            break
    return None


def load_settings(config_file: Path | None, project_root: Path) -> Settings:
    settings = Settings(project_root=project_root)
    if config_file is None:
        return settings
    table = read_pyproject(config_file).get("tool", {}).get("factorscan")
    if table is None:
        return settings
    if not isinstance(table, dict):
        raise ConfigError(f"{config_display(config_file)}: [tool.factorscan] must be a table")
    apply_table(settings, table, source=config_display(config_file))
    settings.config_file = config_file
    settings.project_root = config_file.parent
    return settings


def config_display(path: Path) -> str:
    """A config file as the user would name it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def apply_table(settings: Settings, table: dict[str, Any], source: str) -> None:
    for key, value in table.items():
        validator = _VALIDATORS.get(key)
        if validator is None:
            close = difflib.get_close_matches(key.lower().replace("_", "-"), CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(CONFIG_KEYS)}"
            raise ConfigError(f"{source}: [tool.factorscan] unknown key {key!r}; {hint}")
        try:
            setattr(settings, key.replace("-", "_"), validator(key, value))
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
