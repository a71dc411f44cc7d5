"""A fake pydantic: just what settings classes use (Field, SecretStr, BaseModel)."""

_MISSING = ...


class FieldInfo:
    def __init__(self, default=_MISSING, **kwargs) -> None:
        self.default = default
        self.default_factory = kwargs.get("default_factory")


def Field(default=_MISSING, **kwargs) -> FieldInfo:
    return FieldInfo(default, **kwargs)


class SecretStr(str):
    def get_secret_value(self) -> str:
        return str(self)


class ValidationError(Exception):
    pass


class BaseModel:
    def __init__(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)
