"""Factor IX, Disposability: processes start fast and shut down gracefully on SIGTERM.

Rules, in code order:

- FS0901 missing-sigterm-handler (`missing_sigterm_handler.py`)
- FS0902 sigterm-ignored (`sigterm_ignored.py`)
- FS0903 shell-form-entrypoint (`shell_form_entrypoint.py`)
- FS0904 missing-probe (`missing_probe.py`)
- FS0905 short-grace-period (`short_grace_period.py`)
"""

from factorscan.checks.disposability.missing_probe import MissingProbe
from factorscan.checks.disposability.missing_sigterm_handler import MissingSigtermHandler
from factorscan.checks.disposability.shell_form_entrypoint import ShellFormEntrypoint
from factorscan.checks.disposability.short_grace_period import ShortGracePeriod
from factorscan.checks.disposability.sigterm_ignored import SigtermIgnored

__all__ = [
    "MissingProbe",
    "MissingSigtermHandler",
    "ShellFormEntrypoint",
    "ShortGracePeriod",
    "SigtermIgnored",
]
