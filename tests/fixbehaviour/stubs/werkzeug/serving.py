"""A fake `werkzeug.serving.run_simple`: records the bind, the debugger and the reloader."""

from _fixharness import record


def run_simple(hostname, port, application, use_reloader=False, use_debugger=False, *args, **kwargs) -> None:
    record(
        "serve",
        server="werkzeug",
        host=hostname,
        port=int(port),
        debug=bool(use_debugger),
        reload=bool(use_reloader),
    )
