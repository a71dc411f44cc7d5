import os
import sys

# `python -m factorscan` puts the working directory first on sys.path, so a scanned
# project's csv.py or tomllib.py would be imported (run) in place of the standard
# library module factorscan imports later. Scanned code is never imported.
if sys.path and not getattr(sys.flags, "safe_path", False) and os.path.abspath(sys.path[0]) == os.getcwd():
    del sys.path[0]

from factorscan.cli import main

raise SystemExit(main())
