"""Factor X, Dev/prod parity: keep development, staging and production as similar as possible.

Rules, in code order:

- FS1001 environment-name-branch (`environment_name_branch.py`)
"""

from factorscan.checks.parity.environment_name_branch import EnvironmentNameBranch

__all__ = ["EnvironmentNameBranch"]
