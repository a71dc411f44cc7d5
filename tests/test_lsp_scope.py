"""The language server's scope: stdio only, and nothing read outside the workspace.

A real LSP client (pytest-lsp) drives `factorscan server` with the audit hook
of test_security.py installed in the server process, watching the folder
around the workspace: every file opened and folder listed there is recorded,
and so is any network operation or program start.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import write_project
from .test_security import audit_environment, read_events

APP = 'import logging\n\nhandler = logging.FileHandler("app.log")\n'


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    """(outer folder, workspace two levels below it). What the server could be tempted
    to read lies outside the workspace: an invalid pyproject.toml where a project-root
    search climbing out of the workspace would find it, a Dockerfile, requirements and
    setup.py, and a foreign project holding a document the editor opens too."""
    outer = tmp_path / "outer"
    write_project(
        outer,
        {
            "pyproject.toml": "[tool.factorscan\nthis is not TOML\n",
            "Dockerfile": "FROM python:latest\nCMD python app.py\n",
            "requirements.txt": "flask\n",
            "setup.py": "raise SystemExit('never run')\n",
            "elsewhere/pyproject.toml": "[tool.factorscan]\nunknown-key = 1\n",
            "elsewhere/app.py": APP,
            "middle/workspace/service/app.py": APP,
            "middle/workspace/Dockerfile": "FROM python:3.12-slim\nCMD python service/app.py\n",
        },
    )
    return outer, outer / "middle" / "workspace"


async def _open(client: LanguageClient, path: Path, language: str) -> list[types.Diagnostic]:
    """Open, wait for the diagnostics, then save (the server re-checks on save)."""
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
    )
    # pytest-lsp's client keeps the latest diagnostics per document; waiting for the next
    # notification instead can miss one that arrives in the same read as another.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while uri not in client.diagnostics:
        assert loop.time() < deadline, f"no diagnostics for {path}"
        await asyncio.sleep(0.01)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri), text))
    return list(client.diagnostics[uri])


@pytest.mark.asyncio
async def test_the_server_reads_nothing_outside_its_workspace(tmp_path: Path) -> None:
    outer, workspace = _layout(tmp_path)
    environment, log = audit_environment(tmp_path, outer)
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "factorscan", "server"], server_env=environment
    )
    client = await config.start()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        """Accepted, as an editor does (the server watches pyproject.toml files)."""

    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
            )
        )
        inside = await _open(client, workspace / "service" / "app.py", "python")
        dockerfile = await _open(client, workspace / "Dockerfile", "dockerfile")
        foreign = await _open(client, outer / "elsewhere" / "app.py", "python")
        fix_all = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier((workspace / "service" / "app.py").as_uri()),
                range=inside[0].range,
                context=types.CodeActionContext(diagnostics=inside, only=["source.fixAll.factorscan"]),
            )
        )
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), timeout=60)
        finally:
            await client.stop()

    # It worked, with the default settings: neither pyproject.toml outside was read
    # (each would have been reported as a configuration error).
    assert [d.code for d in inside] == ["FS1101"]
    assert [d.code for d in foreign] == ["FS1101"]
    assert "FS0903" in {d.code for d in dockerfile}
    assert fix_all
    assert client.messages == []

    events = read_events(log)
    assert [detail for kind, detail in events if kind in ("network", "program", "exec")] == []
    touched = sorted({detail for kind, detail in events if kind in ("open", "os.listdir", "os.scandir")})
    assert [path for path in touched if not Path(path).is_relative_to(workspace.resolve())] == []
