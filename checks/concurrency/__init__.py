"""Factor VIII, Concurrency: scale out via the process model; never daemonize.

Rules, in code order:

- FS0801 self-daemonizing (`self_daemonizing.py`)
"""

from factorscan.checks.concurrency.self_daemonizing import SelfDaemonizing

__all__ = ["SelfDaemonizing"]
