"""Flask's `default_handler`: the stderr handler every app logger gets."""

import logging
import sys

default_handler = logging.StreamHandler(sys.stderr)
