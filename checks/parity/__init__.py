"""Factor X, Dev/prod parity: keep development, staging and production as similar as possible.

Rules, in code order:

- FS1001 environment-name-branch (`environment_name_branch.py`)
- FS1002 dev-server-reload (`dev_server_reload.py`)
"""

from factorscan.checks.parity.dev_server_reload import DevServerReload
from factorscan.checks.parity.environment_name_branch import EnvironmentNameBranch

__all__ = ["DevServerReload", "EnvironmentNameBranch"]
