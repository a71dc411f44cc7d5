"""The port-binding rules' shared edges (checks/port_binding/_shared.py), each with code on both
sides: which "host:port" strings and f-strings are split into a host and a port, where each
server call takes its address (by position and keyword), which `.run(...)` is a server, which
`bind` settings are read, and how the fix writes an f-string bind back."""

from __future__ import annotations

from pathlib import Path

from factorscan import api

GUNICORN_CONF = """\
import os

host = os.environ.get("HOST", "0.0.0.0")
port = os.environ["PORT"]
statsd_host = "localhost:8125"
bind = [
    f"127.0.0.1:{port}",
    f"{host}:8000",
    f"{host}:{port}",
    f"[::1]:{port}",
    r"127.0.0.1:8001",
    u"localhost:8002",
    b"127.0.0.1:8003",
    f"127.0.0.1:{{port}}",
    f"127.0.0.1:{port!s}",
    f"127.0.0.1:{port:d}",
    rf"127.0.0.1:{port}",
    f"{host}:{port}:{port}",
    f"{host}{port}",
    f"127.0.0.1{port}",
    f"{host}:80x",
]
"""

SERVE = """\
import os
import socket
from http.server import HTTPServer, SimpleHTTPRequestHandler
from wsgiref.simple_server import make_server
from xmlrpc.server import SimpleXMLRPCServer

import bottle
from flask import Flask
from werkzeug.serving import run_simple

app = Flask(__name__)
PORT = int(os.environ.get("PORT", "8000"))
ADMIN_PORT = 8081
bind = "127.0.0.1:9000"


def serve(payload, retry):
    bottle.run(app, "wsgiref", "127.0.0.1", 8080)
    run_simple("127.0.0.1", 5000, app)
    make_server("127.0.0.1", 5001, app).serve_forever()
    make_server("0.0.0.0", ADMIN_PORT, app).serve_forever()
    HTTPServer(("127.0.0.1", 5002), SimpleHTTPRequestHandler).serve_forever()
    SimpleXMLRPCServer(("127.0.0.1", 5003)).serve_forever()
    app.run("127.0.0.1", 5004)
    app.run("", 5005)
    app.run_server("127.0.0.1", PORT)
    retry.run(payload, 3)
    socket.socket().bind(("127.0.0.1", PORT))
    options = {"bind": "127.0.0.1:5006", "statsd_host": "localhost:8125", "workers": 4}
    app.config.bind = ["localhost:5007"]
    app.config.statsd_host = "localhost:8125"
    return options
"""

LOOPBACK = "unreachable from outside its container; bind to 0.0.0.0 via $HOST"


def _findings(root: Path) -> list[tuple[str, int, int, str, str]]:
    result = api.check([root], select=["FS0701", "FS0702"])
    assert result.errors == []
    return sorted((f.path, f.location.row, f.location.column, f.code, f.message) for f in result.findings)


def test_binds_split_into_host_and_port(project) -> None:
    """Plain, raw and unicode strings and f-strings with the host or the port as text are binds;
    bytes, doubled braces, a third part, no colon and a port that is no number are not, nor (not
    split, since the fix could not write them back) a conversion, a format spec or an rf-string.
    A gunicorn setting other than `bind` (statsd_host) is no bind."""
    root = project({"gunicorn.conf.py": GUNICORN_CONF})
    assert [(row, code) for _, row, _, code, _ in _findings(root)] == [
        (7, "FS0702"),
        (8, "FS0701"),
        (10, "FS0702"),
        (11, "FS0701"),
        (11, "FS0702"),
        (12, "FS0701"),
        (12, "FS0702"),
    ]


def test_each_server_call_takes_its_address_where_the_server_does(project) -> None:
    """By position: bottle.run's third and fourth arguments, run_simple's and make_server's first
    two, an address tuple; `app.run(host, port)` only when the first reads as a host (`""` does,
    a variable does not); a socket's `.bind` only with a numeric port; `bind` only in a server's
    config module, a `.bind` attribute and a `"bind"` key."""
    root = project({"serve.py": SERVE})
    assert [(row, column, code) for _, row, column, code, _ in _findings(root)] == [
        (18, 32, "FS0702"),
        (18, 45, "FS0701"),
        (19, 16, "FS0702"),
        (19, 29, "FS0701"),
        (20, 17, "FS0702"),
        (20, 30, "FS0701"),
        (21, 28, "FS0701"),
        (22, 17, "FS0702"),
        (22, 30, "FS0701"),
        (23, 25, "FS0702"),
        (23, 38, "FS0701"),
        (24, 13, "FS0702"),
        (24, 26, "FS0701"),
        (25, 17, "FS0701"),
        (26, 20, "FS0702"),
        (29, 24, "FS0701"),
        (29, 24, "FS0702"),
        (30, 24, "FS0701"),
        (30, 24, "FS0702"),
    ]
    messages = {(row, code): message for _, row, _, code, message in _findings(root)}
    assert messages[(21, "FS0701")] == "The server port is fixed at 8081; read it from $ADMIN_PORT"
    assert messages[(18, "FS0701")] == "The server port is fixed at 8080; read it from $PORT_2"
    assert messages[(30, "FS0702")] == f"The server binds to localhost, {LOOPBACK}"


def test_the_fix_writes_an_f_string_bind_back_with_quotes_that_fit(project) -> None:
    root = project(
        {
            "gunicorn.conf.py": "import os\n\n"
            'port = os.environ["PORT"]\n'
            'bind = [f"127.0.0.1:{port}", "localhost:8001", f\'127.0.0.1:{port}\']\n'
        }
    )
    api.fix([root], select=["FS0702"], unsafe=True)
    assert (root / "gunicorn.conf.py").read_text(encoding="utf-8").splitlines()[-1] == (
        "bind = [f\"{os.environ.get('HOST', '0.0.0.0')}:{port}\", "
        "f\"{os.environ.get('HOST', '0.0.0.0')}:8001\", "
        'f\'{os.environ.get("HOST", "0.0.0.0")}:{port}\']'
    )


OTHER_SERVERS = """\
import asyncio

import eventlet
from cheroot import wsgi
from gevent.pywsgi import WSGIServer
from gevent.server import StreamServer
from prometheus_client import start_http_server


async def serve(app, handle, loop):
    WSGIServer(("127.0.0.1", 5100), app).serve_forever()
    StreamServer(listener=("127.0.0.1", 5101), handle=handle).serve_forever()
    wsgi.Server(("127.0.0.1", 5102), app).start()
    eventlet.listen(("127.0.0.1", 5103))
    start_http_server(9100, "127.0.0.1")
    await asyncio.start_server(handle, "127.0.0.1", 5104)
    await loop.create_server(handle, host="127.0.0.1", port=5105)
"""


def test_other_servers_take_their_address_where_they_do(project) -> None:
    """gevent's and cheroot's address tuple (first, or `listener=`), eventlet.listen's, the
    metrics server's port-then-address, asyncio's and a loop's host and port after the handler."""
    root = project({"serve.py": OTHER_SERVERS})
    found = {(row, code) for _, row, _, code, _ in _findings(root)}
    for row in range(11, 18):
        assert (row, "FS0702") in found, row
        assert (row, "FS0701") in found, row
