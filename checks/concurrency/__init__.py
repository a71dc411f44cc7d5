"""Factor VIII, Concurrency: scale out via the process model; never daemonize.

Rules, in code order:

- FS0801 self-daemonizing (`self_daemonizing.py`)
- FS0802 in-process-scheduler (`in_process_scheduler.py`)
"""

from factorscan.checks.concurrency.in_process_scheduler import InProcessScheduler
from factorscan.checks.concurrency.self_daemonizing import SelfDaemonizing

__all__ = ["InProcessScheduler", "SelfDaemonizing"]
