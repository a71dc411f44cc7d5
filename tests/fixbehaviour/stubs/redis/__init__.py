"""A fake redis-py: records the URL or host/port/db each client was made with."""

from _fixharness import module_getattr, record

__getattr__ = module_getattr("redis")


class Redis:
    def __init__(self, host="localhost", port=6379, db=0, password=None, **kwargs) -> None:
        self.target = {"host": host, "port": port, "db": db, "password": password}
        record("redis", **self.target, options=kwargs)

    @classmethod
    def from_url(cls, url, **kwargs) -> "Redis":
        client = cls.__new__(cls)
        client.target = {"url": url}
        record("redis", url=url, options=kwargs)
        return client

    def __fixharness__(self) -> dict:
        return {"redis": self.target}


StrictRedis = Redis
from_url = Redis.from_url
