"""Errors that end a run with exit code 2 and one line on stderr."""


class FactorscanError(Exception):
    """A usage, configuration or environment problem the user can act on."""


class ConfigError(FactorscanError):
    pass


class UsageError(FactorscanError):
    pass
