"""Factor XII, Admin processes: run admin/management tasks as one-off processes.

Rules, in code order:

- FS1201 admin-task-in-app (`admin_task_in_app.py`)
"""

from factorscan.checks.admin_processes.admin_task_in_app import AdminTaskInApp

__all__ = ["AdminTaskInApp"]
