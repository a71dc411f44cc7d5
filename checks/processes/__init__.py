"""Factor VI, Processes: execute the app as one or more stateless processes.

Rules, in code order:

- FS0601 local-upload-storage (`local_upload_storage.py`)
- FS0602 in-memory-session-store (`in_memory_session_store.py`)
- FS0603 sqlite-app-database (`sqlite_app_database.py`)
- FS0604 local-state-volume (`local_state_volume.py`)
"""

from factorscan.checks.processes.in_memory_session_store import InMemorySessionStore
from factorscan.checks.processes.local_state_volume import LocalStateVolume
from factorscan.checks.processes.local_upload_storage import LocalUploadStorage
from factorscan.checks.processes.sqlite_app_database import SqliteAppDatabase

__all__ = ["InMemorySessionStore", "LocalStateVolume", "LocalUploadStorage", "SqliteAppDatabase"]
