"""A fake Flask: records the effective host, port, debugger and reloader of `app.run()`."""

import logging as std_logging  # `flask.logging`, once imported, takes the name `logging` here
import os

from _fixharness import module_getattr, record

__getattr__ = module_getattr("flask")


class Config(dict):
    def from_object(self, obj) -> None:
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_mapping(self, mapping=None, **kwargs) -> None:
        self.update(mapping or {}, **kwargs)


class Flask:
    def __init__(self, import_name, **kwargs) -> None:
        self.name = import_name
        self.config = Config(DEBUG=False, SECRET_KEY=None, TESTING=False)
        self._logger = None
        # Flask makes the app's logger on first use of `app.logger`; an app that logs uses it,
        # so the handler it then gets is there when the harness sends its probe record.
        _ = self.logger

    def __fixharness__(self) -> dict:
        return {"flask.config": dict(self.config)}

    @property
    def debug(self) -> bool:
        return self.config["DEBUG"]

    @debug.setter
    def debug(self, value) -> None:
        self.config["DEBUG"] = value

    @property
    def secret_key(self):
        return self.config["SECRET_KEY"]

    @secret_key.setter
    def secret_key(self, value) -> None:
        self.config["SECRET_KEY"] = value

    @property
    def logger(self) -> std_logging.Logger:
        # As Flask: the app's logger gets a stderr handler unless one already handles its level.
        logger = std_logging.getLogger(self.name)
        if self._logger is None:
            self._logger = logger
            if not logger.hasHandlers():
                from flask.logging import default_handler

                logger.addHandler(default_handler)
        return logger

    def route(self, *args, **kwargs):
        return lambda function: function

    get = post = put = delete = errorhandler = before_request = after_request = route

    def register_blueprint(self, *args, **kwargs) -> None:
        return None

    def run(self, host=None, port=None, debug=None, load_dotenv=True, **options) -> None:
        if os.environ.get("FLASK_DEBUG"):
            self.debug = os.environ["FLASK_DEBUG"].lower() in ("1", "true", "yes", "on")
        if debug is not None:
            self.debug = bool(debug)
        host = host or "127.0.0.1"
        port = int(port or 5000)
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        record(
            "serve",
            server="flask",
            host=host,
            port=port,
            debug=bool(options["use_debugger"]),
            reload=bool(options["use_reloader"]),
        )


class Blueprint(Flask):
    def __init__(self, name, import_name=None, **kwargs) -> None:
        super().__init__(name)


def jsonify(*args, **kwargs):
    return args or kwargs


request = session = g = None
