"""A fake python-decouple `config`: os.environ, else the default, else UndefinedValueError."""

import os


class UndefinedValueError(Exception):
    pass


class _Undefined:
    pass


undefined = _Undefined()


def config(option, default=undefined, cast=undefined):
    if option in os.environ:
        value = os.environ[option]
    elif not isinstance(default, _Undefined):
        value = default
    else:
        raise UndefinedValueError(f"{option} not found. Declare it as envvar or define a default value.")
    if cast is bool and isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return value if isinstance(cast, _Undefined) else cast(value)


class Csv:
    def __call__(self, value):
        return [item.strip() for item in str(value).split(",") if item.strip()]


AutoConfig = RepositoryEnv = Config = lambda *args, **kwargs: config
