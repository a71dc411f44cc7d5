"""Factor XI, Logs: treat logs as event streams written to stdout.

Rules, in code order:

- FS1101 log-file-handler (`log_file_handler.py`)
- FS1102 log-file-write (`log_file_write.py`)
- FS1103 server-log-file (`server_log_file.py`)
- FS1104 buffered-output (`buffered_output.py`)
- FS1105 log-volume (`log_volume.py`)
"""

from factorscan.checks.logs.buffered_output import BufferedOutput
from factorscan.checks.logs.log_file_handler import LogFileHandler
from factorscan.checks.logs.log_file_write import LogFileWrite
from factorscan.checks.logs.log_volume import LogVolume
from factorscan.checks.logs.server_log_file import ServerLogFile

__all__ = ["BufferedOutput", "LogFileHandler", "LogFileWrite", "LogVolume", "ServerLogFile"]
