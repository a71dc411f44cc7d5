"""A fake `gunicorn.app.base`: an embedded gunicorn's settings, as `run()` would apply them."""

from _fixharness import record, split_bind


class _Config:
    def __init__(self) -> None:
        self.settings = {"bind": ["127.0.0.1:8000"], "accesslog": None, "errorlog": "-"}

    def set(self, key, value) -> None:
        self.settings[key.lower()] = value


class BaseApplication:
    def __init__(self, usage=None, prog=None) -> None:
        self.cfg = _Config()
        self.load_config()

    def load_config(self) -> None:
        return None

    def load(self):
        return None

    def run(self) -> None:
        binds = self.cfg.settings["bind"]
        for bind in [binds] if isinstance(binds, str) else binds:
            host, port = split_bind(bind)
            record("serve", server="gunicorn", host=host, port=port, debug=False, reload=False)
        record(
            "gunicorn-logs", accesslog=self.cfg.settings["accesslog"], errorlog=self.cfg.settings["errorlog"]
        )


Application = BaseApplication
