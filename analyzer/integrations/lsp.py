"""The language server: `factorscan server` (LSP over stdio, pygls 2, extra `[lsp]`).

- Diagnostics on open, on change (debounced) and on save, for the changed
  document only; rules, settings and imports stay loaded between edits.
  `code` is the rule, `codeDescription.href` its documentation, `source`
  is factorscan; positions use the negotiated encoding (UTF-16 unless the
  client offers another).
- Code actions: a `quickfix` per fixable diagnostic, its edit carried in
  `Diagnostic.data` (as ruff's server does) so no re-analysis is needed;
  `source.fixAll.factorscan` for every applicable fix of the document; and
  a quickfix that adds `# noqa: FSxxxx` to the line.
- Documents come from the client; the only file read is the pyproject.toml
  holding `[tool.factorscan]`, and only inside the workspace.
"""

from __future__ import annotations

import asyncio
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from factorscan import __version__
from factorscan.api import fix_source
from factorscan.core.findings import Applicability, Finding, Location, Severity
from factorscan.core.source import SourceFile
from factorscan.core.suppression import NOQA_COMMENT
from factorscan.integrations import (
    BufferResult,
    FileSettings,
    check_buffer,
    default_file_settings,
    file_settings,
)
from factorscan.output.reporters import rule_url

SOURCE = "factorscan"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
FIX_ALL = "source.fixAll.factorscan"
# Long enough to coalesce a burst of keystrokes, short enough to stay under
# the 150 ms edit-to-diagnostics budget on a 1,000-line file.
DEBOUNCE_SECONDS = 0.05

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@dataclass
class _Checked:
    version: int | None
    result: BufferResult
    config: FileSettings
    text: str  # the document text checked


class FactorscanServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: pygls applies incremental edits on str.splitlines() lines, which also
        # break at form feeds and other separators LSP does not count, and would corrupt
        # such documents. A whole 1,000-line file is ~40 kB per change: cheap over stdio.
        super().__init__("factorscan", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.pending: dict[str, asyncio.Handle] = {}
        self.last_change: dict[str, float] = {}
        self.checked: dict[str, _Checked] = {}
        self.reported_errors: set[str] = set()

    # -- settings, within the workspace only -------------------------------

    def _workspace_folders(self) -> list[Path]:
        folders = [Path(to_fs_path(folder.uri) or "") for folder in self.workspace.folders.values()]
        if self.workspace.root_path:
            folders.append(Path(self.workspace.root_path))
        return [folder.absolute() for folder in folders if str(folder)]

    def config_for(self, path: Path | None) -> FileSettings:
        if path is None:
            return default_file_settings(Path.cwd())
        containing = [folder for folder in self._workspace_folders() if path.is_relative_to(folder)]
        if not containing:
            return default_file_settings(path.parent)
        boundary = max(containing, key=lambda folder: len(folder.parts))
        return file_settings(path.parent, boundary)

    # -- checking ----------------------------------------------------------

    def check(self, uri: str) -> _Checked:
        document = self.workspace.get_text_document(uri)
        previous = self.checked.get(uri)
        if previous is not None and previous.text == document.source:
            previous.version = document.version  # a save, or an edit undone: nothing to redo
            return previous
        path = _document_path(document)
        config = self.config_for(path)
        if config.error and config.error not in self.reported_errors:
            self.reported_errors.add(config.error)
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"factorscan: {config.error}")
            )
        result = check_buffer(path or Path("untitled.py"), document.source, config, inline_noqa=True)
        for error in result.errors:
            self.window_log_message(
                types.LogMessageParams(
                    types.MessageType.Error, f"factorscan: {result.source.display_path}: {error}"
                )
            )
        checked = _Checked(document.version, result, config, document.source)
        if not result.parsed and uri in self.checked:
            # Mid-edit text that does not parse: keep the last diagnostics rather than flicker.
            return self.checked[uri]
        self.checked[uri] = checked
        return checked

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return  # closed meanwhile (pygls would read an unknown document from disk)
        document = self.workspace.get_text_document(uri)
        checked = self.check(uri)
        codec = self.workspace.position_codec
        diagnostics = [_diagnostic(finding, checked, codec) for finding in checked.result.findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    def reload_settings(self) -> None:
        """New [tool.factorscan] settings: forget every cached result and check the open files again."""
        file_settings.cache_clear()
        self.reported_errors.clear()
        uris = list(self.checked)
        self.checked.clear()
        for uri in uris:
            self.publish(uri)

    def schedule(self, uri: str) -> None:
        """Debounce: an edit after a quiet spell is checked at once (leading edge);
        edits in a burst wait until the burst pauses (trailing edge)."""
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self.last_change.get(uri, float("-inf")) > DEBOUNCE_SECONDS
        self.last_change[uri] = loop.time()
        if quiet and handle is None:
            self.pending[uri] = loop.call_soon(self.publish, uri)
        else:
            self.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self.publish, uri)


def _document_path(document: TextDocument) -> Path | None:
    if not document.uri.startswith("file:"):
        return None
    path = to_fs_path(document.uri)
    return Path(path).absolute() if path else None


# -- positions -------------------------------------------------------------------


def _position(source: SourceFile, location: Location, codec: PositionCodec) -> types.Position:
    line = source.line(location.row)
    column = min(max(location.column - 1, 0), len(line))
    return types.Position(line=location.row - 1, character=codec.client_num_units(line[:column]))


def _range(source: SourceFile, start: Location, end: Location, codec: PositionCodec) -> types.Range:
    return types.Range(start=_position(source, start, codec), end=_position(source, end, codec))


def _json_range(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def _text_edit(data: dict[str, Any]) -> types.TextEdit:
    start, end = data["range"]["start"], data["range"]["end"]
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=start["line"], character=start["character"]),
            end=types.Position(line=end["line"], character=end["character"]),
        ),
        new_text=data["newText"],
    )


def _diagnostic(finding: Finding, checked: _Checked, codec: PositionCodec) -> types.Diagnostic:
    source = checked.result.source
    data: dict[str, Any] = {"version": checked.version, "row": finding.location.row}
    if finding.fix is not None and finding.fix.applicability is not Applicability.DISPLAY_ONLY:
        data["fix"] = {
            "title": finding.fix.message,
            "safe": finding.fix.applicability is Applicability.SAFE,
            "edits": [
                {
                    "range": _json_range(_range(source, edit.location, edit.end_location, codec)),
                    "newText": edit.content,
                }
                for edit in finding.fix.edits
            ],
        }
    return types.Diagnostic(
        range=_range(source, finding.location, finding.end_location, codec),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
        data=data,
    )


# -- code actions ----------------------------------------------------------------


def _document_edit(document: TextDocument, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version
                ),
                edits=list(edits),
            )
        ]
    )


def _quick_fix(document: TextDocument, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    fix = data.get("fix")
    if not fix or data.get("version") != document.version:
        return None  # the text moved on since the diagnostic; a fresh one is on its way
    title = f"{diagnostic.code}: {fix['title']}"
    if not fix.get("safe"):
        title += " (unsafe: needs new environment variables)"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=_document_edit(document, [_text_edit(edit) for edit in fix["edits"]]),
        is_preferred=bool(fix.get("safe")),
    )


def _comment_rows(text: str) -> set[int]:
    """1-based rows whose end is outside any string, where a comment may go."""
    rows = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                rows.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return rows


def _noqa_action(
    document: TextDocument, diagnostic: types.Diagnostic, codec: PositionCodec, python: bool
) -> types.CodeAction | None:
    code = str(diagnostic.code)
    lines = [line.rstrip("\r\n") for line in _lsp_lines(document.source)]
    index = diagnostic.range.start.line
    if index >= len(lines):
        return None
    line = lines[index]
    if python:
        if index + 1 not in _comment_rows(document.source):
            return None  # the line ends inside a string: a comment would change the code
        match = NOQA_COMMENT.search(line)
        if match and match.group("codes"):
            column = match.end("codes")
            new_text = f", {code}"
        elif match:
            return None  # a bare noqa comment already silences everything
        else:
            column = len(line.rstrip())
            new_text = f"  # noqa: {code}"
        position = types.Position(line=index, character=codec.client_num_units(line[:column]))
        edit = types.TextEdit(range=types.Range(start=position, end=position), new_text=new_text)
    else:
        # `#` starts a comment only at the start of a line in Dockerfiles: a line above works everywhere.
        indent = line[: len(line) - len(line.lstrip())]
        position = types.Position(line=index, character=0)
        newline = "\r\n" if "\r\n" in document.source else "\n"
        edit = types.TextEdit(
            range=types.Range(start=position, end=position),
            new_text=f"{indent}# factorscan: ignore={code}{newline}",
        )
    return types.CodeAction(
        title=f"{code}: silence this finding with a comment",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=_document_edit(document, [edit]),
    )


def _fix_all(server: FactorscanServer, document: TextDocument) -> types.CodeAction | None:
    checked = server.check(document.uri)  # the cached result when the text is unchanged
    if checked.version != document.version:
        return None
    settings = checked.config.settings
    if not any(
        f.fix is not None and f.fix.is_applicable(settings.unsafe_fixes) for f in checked.result.findings
    ):
        return None
    source = checked.result.source
    new_text = fix_source(document.source, source.path, unsafe=settings.unsafe_fixes, settings=settings)
    if new_text == document.source:
        return None
    return types.CodeAction(
        title="factorscan: fix all auto-fixable problems",
        kind=FIX_ALL,
        edit=_document_edit(document, [_changed_lines_edit(document.source, new_text)]),
    )


def _lsp_lines(text: str) -> list[str]:
    """Lines with their endings, split only where LSP splits (not at form feeds, as splitlines does)."""
    return _LINE.findall(text)


def _changed_lines_edit(old: str, new: str) -> types.TextEdit:
    """One edit covering only the lines that differ, so the editor keeps the cursor and folds."""
    old_lines = _lsp_lines(old)
    new_lines = _lsp_lines(new)
    prefix = 0
    while prefix < min(len(old_lines), len(new_lines)) and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old_lines), len(new_lines)) - prefix
        and old_lines[-1 - suffix] == new_lines[-1 - suffix]
    ):
        suffix += 1
    start = types.Position(line=prefix, character=0)
    end = types.Position(line=len(old_lines) - suffix, character=0)
    return types.TextEdit(
        range=types.Range(start=start, end=end),
        new_text="".join(new_lines[prefix : len(new_lines) - suffix]),
    )


# -- the server --------------------------------------------------------------------


def create_server() -> FactorscanServer:
    server = FactorscanServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FactorscanServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FactorscanServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.INITIALIZED)
    def initialized(ls: FactorscanServer, params: types.InitializedParams) -> None:
        watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watch and watch.dynamic_registration:
            # Settings live in pyproject.toml files, which editors may not open with this server.
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
            )
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="factorscan-settings",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=options,
                        )
                    ]
                )
            )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: FactorscanServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            ls.reload_settings()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FactorscanServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.endswith("pyproject.toml"):
            ls.reload_settings()
            return
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FactorscanServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = ls.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: FactorscanServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        if params.text_document.uri not in ls.workspace.text_documents:
            return []
        document = ls.workspace.get_text_document(params.text_document.uri)
        only = params.context.only
        actions: list[types.CodeAction] = []
        if only is None or any(types.CodeActionKind.QuickFix.startswith(kind) for kind in only):
            codec = ls.workspace.position_codec
            checked = ls.checked.get(document.uri)
            python = checked is None or checked.result.kind == "python"
            for diagnostic in params.context.diagnostics:
                if diagnostic.source != SOURCE:
                    continue
                for action in (
                    _quick_fix(document, diagnostic),
                    _noqa_action(document, diagnostic, codec, python),
                ):
                    if action is not None:
                        actions.append(action)
        # Fixing the whole file re-analyses it: only when asked for by kind or by the user.
        invoked = params.context.trigger_kind == types.CodeActionTriggerKind.Invoked
        if (only is None and invoked) or (
            only is not None and any(FIX_ALL.startswith(kind) for kind in only)
        ):
            action = _fix_all(ls, document)
            if action is not None:
                actions.append(action)
        return actions

    return server


def serve() -> None:
    """Speak LSP over stdin and stdout until the client says exit."""
    create_server().start_io()
