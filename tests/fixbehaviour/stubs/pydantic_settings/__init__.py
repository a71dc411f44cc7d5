"""A fake pydantic-settings `BaseSettings`: each field from $PREFIX+NAME, else its default."""

import os

from pydantic import FieldInfo, ValidationError


def SettingsConfigDict(**kwargs) -> dict:
    return kwargs


class BaseSettings:
    model_config: dict = {}

    def __init__(self, **values) -> None:
        prefix = self.model_config.get("env_prefix", "")
        environment = {key.upper(): value for key, value in os.environ.items()}
        annotations = {}
        for cls in reversed(type(self).__mro__):
            annotations.update(getattr(cls, "__annotations__", {}))
        annotations.pop("model_config", None)
        self._values = {}
        for name in annotations:
            variable = f"{prefix}{name}".upper()
            default = getattr(type(self), name, ...)
            if isinstance(default, FieldInfo):
                default = default.default_factory() if default.default_factory else default.default
            if name in values:
                value = values[name]
            elif variable in environment:
                value = environment[variable]
            elif default is not ...:
                value = default
            else:
                raise ValidationError(f"{name}: Field required (set {variable})")
            self._values[name] = value
            setattr(self, name, value)

    def __fixharness__(self) -> dict:
        return {type(self).__name__: self._values}
