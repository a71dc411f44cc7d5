"""A fake SQLAlchemy: `create_engine` records the URL it was given, whole."""

from _fixharness import module_getattr, record

__getattr__ = module_getattr("sqlalchemy")


class Engine:
    def __init__(self, url) -> None:
        self.url = url

    def __fixharness__(self) -> dict:
        return {"engine": self.url}

    def connect(self):
        return self


def create_engine(url, *args, **kwargs) -> Engine:
    record("engine", url=str(url), options=kwargs)
    return Engine(str(url))


def text(sql):
    return sql
