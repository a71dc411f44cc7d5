"""A fake `starlette.config.Config`: os.environ, else the default, else KeyError, as Starlette."""

import os

undefined = object()


class Config:
    def __init__(self, env_file=None, environ=None, env_prefix="") -> None:
        self.env_prefix = env_prefix

    def __call__(self, key, cast=None, default=undefined):
        key = self.env_prefix + key
        if key in os.environ:
            value = os.environ[key]
        elif default is not undefined:
            value = default
        else:
            raise KeyError(f"Config '{key}' is missing, and has no default.")
        return cast(value) if cast is not None and value is not None else value
