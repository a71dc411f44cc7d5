"""A fake django-environ `Env`: reads os.environ, else the call's or the scheme's default."""

import os

NOTSET = object()


class ImproperlyConfigured(Exception):
    pass


class Env:
    def __init__(self, **scheme) -> None:
        self.scheme = scheme

    def __call__(self, var, cast=None, default=NOTSET, parse_default=False):
        if var in os.environ:
            value = os.environ[var]
        elif default is not NOTSET:
            value = default
        elif isinstance(self.scheme.get(var), tuple) and len(self.scheme[var]) > 1:
            value = self.scheme[var][1]
        else:
            raise ImproperlyConfigured(f"Set the {var} environment variable")
        cast = cast or (self.scheme[var][0] if isinstance(self.scheme.get(var), tuple) else None)
        if cast is bool and isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return cast(value) if cast is not None and value is not None else value

    def str(self, var, default=NOTSET, **kwargs):
        return self(var, default=default)

    def bool(self, var, default=NOTSET):
        return self(var, cast=bool, default=default)

    def int(self, var, default=NOTSET):
        return self(var, cast=int, default=default)

    def list(self, var, default=NOTSET):
        value = self(var, default=default)
        return value.split(",") if isinstance(value, str) else value

    db = db_url = cache = cache_url = url = str

    @classmethod
    def read_env(cls, *args, **kwargs) -> None:
        return None


FileAwareEnv = Env
