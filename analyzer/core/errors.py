"""Errors that end a run with exit code 2 and one line on stderr, and RoundTripError."""


class FactorscanError(Exception):
    """A usage, configuration or environment problem the user can act on."""


class ConfigError(FactorscanError):
    pass


class UsageError(FactorscanError):
    pass


class RoundTripError(ValueError):
    """libcst's code for the module differs from the source, so offsets would be wrong.

    Here rather than in positions.py, which needs libcst: the engine catches it on
    every run, and a run whose files are all cached never imports libcst."""
