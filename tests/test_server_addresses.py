"""FS0701/FS0702 find the host and the port of every server call shape they know: each
server's positional slots, address tuples and "host:port" strings (checks/port_binding/_shared.py)."""

from __future__ import annotations

import re
from pathlib import Path

from factorscan import api

SERVERS = """\
import asyncio
import socket
import subprocess
from http.server import HTTPServer, SimpleHTTPRequestHandler
from wsgiref.simple_server import make_server
from xmlrpc.server import SimpleXMLRPCServer

import bottle
import cheroot.wsgi
import dash
import eventlet
import grpc
import uvicorn
import waitress
import websockets
from aiohttp import web
from flask import Flask
from gevent.pywsgi import WSGIServer
from prometheus_client import start_http_server
from werkzeug.serving import run_simple

app = Flask(__name__)
board = dash.Dash(__name__)


async def handle(reader, writer):
    writer.close()


def main(scheduler, job):
    uvicorn.run("shop:app", host="127.0.0.1", port=8000)
    web.run_app(web.Application(), host="localhost", port=8001)
    web.TCPSite(web.AppRunner(web.Application()), "127.0.0.1", 8002)
    waitress.serve(app, listen="127.0.0.1:8003")
    bottle.run(app, "wsgiref", "127.0.0.1", 8004)
    run_simple("127.0.0.1", 8005, app)
    make_server("127.0.0.1", 8006, app)
    HTTPServer(("127.0.0.1", 8007), SimpleHTTPRequestHandler)
    SimpleXMLRPCServer(("localhost", 8008))
    WSGIServer(("127.0.0.1", 8009), app)
    cheroot.wsgi.Server(("127.0.0.1", 8010), app)
    eventlet.listen(("127.0.0.1", 8011))
    asyncio.start_server(handle, "127.0.0.1", 8012)
    websockets.serve(handle, "localhost", 8013)
    start_http_server(9100, "127.0.0.1")
    app.run("127.0.0.1", 8014)
    asyncio.get_event_loop().create_server(asyncio.Protocol, "127.0.0.1", 8015)
    grpc.server(None).add_insecure_port("127.0.0.1:8016")
    socket.socket().bind(("127.0.0.1", 8017))
    board.run_server("127.0.0.1", 8050)
    subprocess.run(["echo", "127.0.0.1", "8018"])
    socket.socket().bind(("127.0.0.1", 0))
    scheduler.run(job, 8019)
    app.run(debug=False)
"""

_HOST = re.compile(r'"(127\.0\.0\.1|localhost)')
_PORT = re.compile(r"\b(80\d\d|9100)\b")


def _expected() -> list[tuple[int, int, str]]:
    """FS0702 at each server line's host literal and FS0701 at its port (both at a "host:port"
    string); nothing from the lines after the last server."""
    expected = []
    for row, line in enumerate(SERVERS.splitlines(), start=1):
        if "subprocess.run" in line:
            break
        host, port = _HOST.search(line), _PORT.search(line)
        if host is None or port is None:
            continue
        in_host_string = host.start() < port.start() < line.index('"', host.start() + 1)
        expected.append((row, host.start() + 1, "FS0702"))
        expected.append((row, host.start() + 1 if in_host_string else port.start() + 1, "FS0701"))
    return sorted(expected)


def test_every_server_shape_reports_its_host_and_port(project) -> None:
    root: Path = project({"servers.py": SERVERS})
    result = api.check([root], select=["FS0701", "FS0702"])
    found = sorted((f.location.row, f.location.column, f.code) for f in result.findings)
    assert len(_expected()) == 40
    assert found == _expected()
    metrics = [f.message for f in result.findings if f.code == "FS0701" and "9100" in f.message]
    assert metrics == ["The server port is fixed at 9100; read it from $METRICS_PORT"]
