"""Factor I, Codebase: one codebase tracked in revision control, many deploys.

Rules, in code order:

- FS0101 path-dependency (`path_dependency.py`)
"""

from factorscan.checks.codebase.path_dependency import PathDependency

__all__ = ["PathDependency"]
