"""A fake uvicorn: `run()` and `Server(Config(...)).run()` record the bind and the reloader."""

from _fixharness import module_getattr, record

__getattr__ = module_getattr("uvicorn")


class Config:
    def __init__(self, app, host="127.0.0.1", port=8000, reload=False, **kwargs) -> None:
        self.app, self.host, self.port, self.reload = app, host, port, reload
        self.log_config = kwargs.get("log_config")

    def __fixharness__(self) -> dict:
        return {"uvicorn.Config": {"host": self.host, "port": self.port, "reload": self.reload}}


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config

    def run(self, *args, **kwargs) -> None:
        config = self.config
        record(
            "serve",
            server="uvicorn",
            host=config.host,
            port=int(config.port),
            debug=False,
            reload=bool(config.reload),
        )

    async def serve(self, *args, **kwargs) -> None:
        self.run()


def run(app, *, host="127.0.0.1", port=8000, reload=False, **kwargs) -> None:
    Server(Config(app, host=host, port=port, reload=reload, **kwargs)).run()
