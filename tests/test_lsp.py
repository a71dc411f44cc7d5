"""The language server end to end: a real LSP client (pytest-lsp) talking to
`factorscan server` over stdio."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import write_project

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "factorscan", "server"])

# The emoji is two UTF-16 code units and four UTF-8 bytes: positions must count them right.
APP = """\
import logging

banner = "🚀"; handler = logging.FileHandler("app.log")
"""


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    write_project(
        root,
        {
            "pyproject.toml": '[tool.factorscan]\nselect = ["FS11"]\n',
            "app.py": APP,
            "only_server_logs/pyproject.toml": '[tool.factorscan]\nselect = ["FS1103"]\n',
            "only_server_logs/app.py": APP,
        },
    )
    return root


async def _initialize(client: LanguageClient, root: Path, encodings: list[str] | None = None) -> None:
    registrations: list[types.Registration] = []
    client.registrations = registrations  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        """VS Code accepts dynamic registrations; pytest-lsp's client needs telling."""
        registrations.extend(params.registrations)

    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
        )
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="workspace")],
        )
    )
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Full  # see FactorscanServer.__init__
    assert sync.save


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    await _initialize(lsp_client, _workspace(tmp_path))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def utf8_client(lsp_client: LanguageClient, tmp_path: Path):
    await _initialize(lsp_client, _workspace(tmp_path), encodings=["utf-8"])
    yield
    await lsp_client.shutdown_session()


# -- helpers: what an editor does with the server's answers -----------------------------


def _offset(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position as an index into `text` (lines end with \\n here)."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return offset + index
        units += 2 if ord(char) > 0xFFFF else 1
    return offset + len(line)


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def _edits(action: types.CodeAction) -> list[types.TextEdit]:
    assert action.edit is not None
    assert action.edit.document_changes is not None
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    return [edit for edit in change.edits if isinstance(edit, types.TextEdit)]


async def _diagnostics(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """Wait for the diagnostics of `uri` at `version` (or later)."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (params.version or 0) >= version:
            return list(params.diagnostics)


async def _open(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    return await _diagnostics(client, uri, 1)


async def _change(client: LanguageClient, uri: str, version: int, text: str) -> list[types.Diagnostic]:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await _diagnostics(client, uri, version)


async def _actions(
    client: LanguageClient, uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range
            if diagnostics
            else types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


# -- tests ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_diagnostics_on_open_in_utf16(client: LanguageClient, tmp_path: Path) -> None:
    (diagnostic,) = await _open(client, tmp_path / "workspace" / "app.py", APP)
    assert diagnostic.code == "FS1101"
    assert diagnostic.source == "factorscan"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("/docs/rules/FS1101.md")
    # 0-based code-point column 24; in UTF-16 the emoji counts twice.
    assert diagnostic.range == types.Range(types.Position(2, 25), types.Position(2, 55))
    start = _offset(APP, diagnostic.range.start)
    assert APP[start : _offset(APP, diagnostic.range.end)] == 'logging.FileHandler("app.log")'


@pytest.mark.asyncio
async def test_positions_in_negotiated_utf8(utf8_client: LanguageClient, tmp_path: Path) -> None:
    (diagnostic,) = await _open(utf8_client, tmp_path / "workspace" / "app.py", APP)
    line = APP.splitlines()[2].encode()
    start, end = diagnostic.range.start.character, diagnostic.range.end.character
    assert line[start:end] == b'logging.FileHandler("app.log")'


@pytest.mark.asyncio
async def test_settings_come_from_the_workspace_pyproject(client: LanguageClient, tmp_path: Path) -> None:
    assert await _open(client, tmp_path / "workspace" / "only_server_logs" / "app.py", APP) == []


@pytest.mark.asyncio
async def test_documents_outside_the_workspace_use_defaults(client: LanguageClient, tmp_path: Path) -> None:
    outside = write_project(
        tmp_path / "outside", {"pyproject.toml": '[tool.factorscan]\nignore = ["FS11"]\n'}
    )
    (diagnostic,) = await _open(client, outside / "app.py", APP)
    assert diagnostic.code == "FS1101"  # the pyproject.toml outside the workspace was not read


@pytest.mark.asyncio
async def test_quick_fix_from_diagnostic_data_removes_the_finding(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "workspace" / "app.py"
    diagnostics = await _open(client, path, APP)
    assert diagnostics[0].data["fix"]["edits"]
    actions = await _actions(client, path.as_uri(), diagnostics, only=[types.CodeActionKind.QuickFix])
    fix = next(action for action in actions if action.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.title.startswith("FS1101: ")
    fixed = _apply(APP, _edits(fix))
    assert (
        fixed == 'import logging\nimport sys\n\nbanner = "🚀"; handler = logging.StreamHandler(sys.stdout)\n'
    )
    assert await _change(client, path.as_uri(), 2, fixed) == []


@pytest.mark.asyncio
async def test_noqa_action_silences_the_finding(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "workspace" / "app.py"
    diagnostics = await _open(client, path, APP)
    actions = await _actions(client, path.as_uri(), diagnostics)
    noqa = next(action for action in actions if "silence" in action.title)
    silenced = _apply(APP, _edits(noqa))
    assert silenced.splitlines()[2].endswith('logging.FileHandler("app.log")  # noqa: FS1101')
    assert await _change(client, path.as_uri(), 2, silenced) == []


@pytest.mark.asyncio
async def test_fix_all(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "workspace" / "app.py"
    # A form feed is a line break for str.splitlines but not for LSP: edits must not drift.
    text = (
        APP
        + '#\x0c section two\nlogging.basicConfig(filename="app.log")\nother = logging.FileHandler("other.log")\nprint("done")\n'
    )
    diagnostics = await _open(client, path, text)
    assert len(diagnostics) == 3
    actions = await _actions(client, path.as_uri(), [], only=[types.CodeActionKind.SourceFixAll])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.factorscan"
    fixed = _apply(text, _edits(fix_all))
    assert "FileHandler" not in fixed
    assert "filename=" not in fixed
    assert fixed.count("import sys") == 1
    assert fixed.endswith(
        "\n#\x0c section two\nlogging.basicConfig(stream=sys.stdout)\n"
        'other = logging.StreamHandler(sys.stdout)\nprint("done")\n'
    )
    assert await _change(client, path.as_uri(), 2, fixed) == []


@pytest.mark.asyncio
async def test_changes_are_debounced_and_the_latest_text_wins(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "workspace" / "app.py"
    uri = path.as_uri()
    await _open(client, path, "import logging\n")
    for version in range(2, 6):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=APP * (version - 1))],
            )
        )
    diagnostics = await _diagnostics(client, uri, 5)
    assert len(diagnostics) == 4


@pytest.mark.asyncio
async def test_save_and_close(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "workspace" / "app.py"
    uri = path.as_uri()
    await _open(client, path, APP)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri))
    )
    assert len(await _diagnostics(client, uri, 1)) == 1
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.uri == uri
    assert list(params.diagnostics) == []


@pytest.mark.asyncio
async def test_edit_of_a_thousand_line_file_is_diagnosed_quickly(
    client: LanguageClient, tmp_path: Path
) -> None:
    """The editor budget is 150 ms from edit to diagnostics; this bound only catches gross
    regressions (re-reading the project per edit) on a loaded 2-core CI box."""
    path = tmp_path / "workspace" / "big.py"
    body = "".join(f"def handler_{i}(request):\n    return {{'value': {i}}}\n\n" for i in range(340))
    text = "import logging\n\n" + body + 'log = logging.FileHandler("app.log")\n'
    assert text.count("\n") >= 1000
    await _open(client, path, text)
    timings = []
    for version in range(2, 7):
        edited = text.replace(f"return {{'value': {version}}}", f"return {{'value': -{version}}}", 1)
        assert edited != text  # every version is new text: nothing can come from a cache
        text = edited
        started = time.perf_counter()
        diagnostics = await _change(client, path.as_uri(), version, text)
        timings.append(time.perf_counter() - started)
        assert len(diagnostics) == 1
    print(
        f"edit-to-diagnostics on a {text.count(chr(10))}-line file: {sorted(timings)[len(timings) // 2] * 1000:.0f} ms median"
    )
    assert sorted(timings)[len(timings) // 2] < 1.5


@pytest.mark.asyncio
async def test_settings_reload_when_pyproject_changes(client: LanguageClient, tmp_path: Path) -> None:
    folder = tmp_path / "workspace" / "only_server_logs"
    path = folder / "app.py"
    assert await _open(client, path, APP) == []
    (folder / "pyproject.toml").write_text('[tool.factorscan]\nselect = ["FS1101"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=(folder / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)
            ]
        )
    )
    (diagnostic,) = await _diagnostics(client, path.as_uri(), 1)
    assert diagnostic.code == "FS1101"
    (registration,) = client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert registration.register_options["watchers"][0]["globPattern"] == "**/pyproject.toml"
