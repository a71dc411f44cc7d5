"""The data every part of factorscan exchanges: findings, fixes and edits.

Rows and columns are 1-based and columns count code points, as in ruff's JSON
output; end locations are exclusive. Reporters that need other units (UTF-8
bytes for reviewdog, UTF-16 for LSP) convert from these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Applicability(str, enum.Enum):
    """How confidently a fix may be applied (ruff's model)."""

    SAFE = "safe"  # behaviour is unchanged when the new env var is unset
    UNSAFE = "unsafe"  # running afterwards needs new environment
    DISPLAY_ONLY = "display-only"  # shown as a suggestion, never applied


class FixAvailability(str, enum.Enum):
    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NEVER = "never"


@dataclass(frozen=True)
class Factor:
    number: int
    numeral: str
    title: str

    @property
    def prefix(self) -> str:
        return f"FS{self.number:02d}"


FACTORS: tuple[Factor, ...] = (
    Factor(0, "-", "General"),
    Factor(1, "I", "Codebase"),
    Factor(2, "II", "Dependencies"),
    Factor(3, "III", "Config"),
    Factor(4, "IV", "Backing services"),
    Factor(5, "V", "Build, release, run"),
    Factor(6, "VI", "Processes"),
    Factor(7, "VII", "Port binding"),
    Factor(8, "VIII", "Concurrency"),
    Factor(9, "IX", "Disposability"),
    Factor(10, "X", "Dev/prod parity"),
    Factor(11, "XI", "Logs"),
    Factor(12, "XII", "Admin processes"),
)


def factor_for_code(code: str) -> Factor:
    return FACTORS[int(code[2:4])]


@dataclass(frozen=True, order=True)
class Location:
    row: int
    column: int

    def to_dict(self) -> dict[str, int]:
        return {"row": self.row, "column": self.column}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Location:
        return cls(int(data["row"]), int(data["column"]))


@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations with `content`."""

    content: str
    location: Location
    end_location: Location

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "location": self.location.to_dict(),
            "end_location": self.end_location.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        return cls(
            data["content"],
            Location.from_dict(data["location"]),
            Location.from_dict(data["end_location"]),
        )


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "message": self.message,
            "edits": [edit.to_dict() for edit in self.edits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        return cls(
            Applicability(data["applicability"]),
            data["message"],
            tuple(Edit.from_dict(edit) for edit in data["edits"]),
        )

    def is_applicable(self, unsafe_fixes: bool) -> bool:
        if self.applicability is Applicability.SAFE:
            return True
        return unsafe_fixes and self.applicability is Applicability.UNSAFE


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str  # as shown to the user: relative to the working directory when below it
    location: Location
    end_location: Location
    fix: Fix | None = None
    # The span holds a secret: reporters that echo source lines mask it.
    sensitive: bool = False
    # Exactly where the secret characters are, when not the value of the string literal
    # the finding spans (a password inside a URL, or beside the host a finding is about).
    secrets: tuple[tuple[Location, Location], ...] = field(default=(), compare=False)
    # First row of the enclosing statement: a noqa comment there covers the finding too.
    statement_row: int | None = None
    # Stable extra words for the fingerprint (e.g. a dependency name for
    # project-level findings whose line may be empty).
    fingerprint_hint: str = field(default="", compare=False)

    @property
    def factor(self) -> Factor:
        return factor_for_code(self.code)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.location.row, self.location.column, self.code)

    def as_notice(self, reason: str) -> Finding:
        """This finding lowered to info, its message saying why (a project review's verdict)."""
        return replace(self, severity=Severity.INFO, message=f"{self.message} ({reason})")

    def with_path(self, path: str) -> Finding:
        return replace(self, path=path)

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape (DESIGN.md, Output)."""
        return {
            "code": self.code,
            "name": self.name,
            "factor": self.factor.numeral,
            "severity": self.severity.value,
            "message": self.message,
            "filename": self.path,
            "location": self.location.to_dict(),
            "end_location": self.end_location.to_dict(),
            "fix": self.fix.to_dict() if self.fix else None,
        }

    def to_cache(self) -> dict[str, Any]:
        data = self.to_json()
        del data["filename"], data["factor"]
        data["sensitive"] = self.sensitive
        data["secrets"] = [[start.to_dict(), end.to_dict()] for start, end in self.secrets]
        data["statement_row"] = self.statement_row
        data["fingerprint_hint"] = self.fingerprint_hint
        return data

    @classmethod
    def from_cache(cls, data: dict[str, Any], path: str) -> Finding:
        return cls(
            code=data["code"],
            name=data["name"],
            severity=Severity(data["severity"]),
            message=data["message"],
            path=path,
            location=Location.from_dict(data["location"]),
            end_location=Location.from_dict(data["end_location"]),
            fix=Fix.from_dict(data["fix"]) if data["fix"] else None,
            sensitive=data["sensitive"],
            secrets=tuple(
                (Location.from_dict(start), Location.from_dict(end)) for start, end in data.get("secrets", ())
            ),
            statement_row=data["statement_row"],
            fingerprint_hint=data.get("fingerprint_hint", ""),
        )
