"""A small POSIX shell lexer: words with their offsets, split into simple commands.

Dockerfile RUN/CMD lines, Procfile commands, compose commands and entrypoint
scripts are all shell. The rules need only the words of each simple command
(`pip install redis`, `exec gunicorn app:app`), where each word sits in the
text (for findings and fixes), and what ends the command (`&&`, `;`, `&`).
Expansions (`$X`, `$(...)`, backticks) stay as written inside their word.
The lexer never raises: an unclosed quote runs to the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Longest first: `&&` before `&`, `;;` before `;`.
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")", "\n")
_HEREDOC = re.compile(r"(\d*)<<(-?)(.+)$")
_CONTROL_WORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "do",
        "done",
        "while",
        "until",
        "for",
        "case",
        "esac",
        "{",
        "}",
        "!",
        "in",
    }
)


@dataclass(frozen=True)
class Word:
    text: str  # the value: quotes removed, escapes applied, expansions as written
    raw: str  # as written
    start: int  # offsets into the lexed text, end exclusive
    end: int

    @property
    def quoted(self) -> bool:
        return "'" in self.raw or '"' in self.raw


@dataclass(frozen=True)
class Command:
    """One simple command and the operator that ended it ("" at the end of the text)."""

    words: tuple[Word, ...]
    terminator: str
    # The operator before it ("" at the start, "\n" after a newline).
    after: str = ""

    @property
    def argv(self) -> list[str]:
        return [word.text for word in self.words]

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end

    @property
    def background(self) -> bool:
        return self.terminator == "&"


class _Lexer:
    def __init__(self, text: str, escape: str = "\\") -> None:
        self.text = text
        self.escape = escape
        self.pos = 0

    def tokens(self) -> Iterator[Word | str]:
        """Words, and operators as plain strings."""
        text = self.text
        length = len(text)
        pending_heredocs: list[tuple[str, bool]] = []
        while self.pos < length:
            char = text[self.pos]
            if char == self.escape and text.startswith("\n", self.pos + 1):
                self.pos += 2  # line continuation
                continue
            if char in " \t\r":
                self.pos += 1
                continue
            if char == "#":
                newline = text.find("\n", self.pos)
                self.pos = length if newline < 0 else newline
                continue
            operator = next((op for op in _OPERATORS if text.startswith(op, self.pos)), None)
            if operator is not None:
                self.pos += len(operator)
                if operator == "\n" and pending_heredocs:
                    self._skip_heredoc_bodies(pending_heredocs)
                    pending_heredocs = []
                yield operator
                continue
            word = self._word()
            match = _HEREDOC.match(word.raw)
            if match and not word.raw.startswith("<<<"):
                delimiter = match.group(3).replace('"', "").replace("'", "")
                pending_heredocs.append((delimiter, match.group(2) == "-"))
            yield word

    def _skip_heredoc_bodies(self, heredocs: list[tuple[str, bool]]) -> None:
        text = self.text
        for delimiter, strip_tabs in heredocs:
            while self.pos < len(text):
                newline = text.find("\n", self.pos)
                end = len(text) if newline < 0 else newline
                line = text[self.pos : end].rstrip("\r")
                self.pos = end + 1 if newline >= 0 else end
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break

    def _word(self) -> Word:
        text = self.text
        start = self.pos
        value: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n" or any(text.startswith(op, self.pos) for op in _OPERATORS[:-1]):
                break
            if char == self.escape:
                if self.pos + 1 < len(text):
                    if text[self.pos + 1] != "\n":
                        value.append(text[self.pos + 1])
                    self.pos += 2
                else:
                    self.pos += 1
            elif char == "'":
                end = text.find("'", self.pos + 1)
                end = len(text) if end < 0 else end
                value.append(text[self.pos + 1 : end])
                self.pos = end + 1
            elif char == '"':
                self.pos += 1
                while self.pos < len(text) and text[self.pos] != '"':
                    inner = text[self.pos]
                    if inner == self.escape and self.pos + 1 < len(text) and text[self.pos + 1] in '"$`\\\n':
                        if text[self.pos + 1] != "\n":
                            value.append(text[self.pos + 1])
                        self.pos += 2
                        continue
                    value.append(inner)
                    self.pos += 1
                self.pos += 1
            elif text.startswith("$(", self.pos) or text.startswith("${", self.pos):
                end = self._matching(self.pos + 1)
                value.append(text[self.pos : end])
                self.pos = end
            elif char == "`":
                end = text.find("`", self.pos + 1)
                end = len(text) if end < 0 else end + 1
                value.append(text[self.pos : end])
                self.pos = end
            else:
                value.append(char)
                self.pos += 1
        end = min(self.pos, len(text))
        return Word("".join(value), text[start:end], start, end)

    def _matching(self, index: int) -> int:
        """The offset after the bracket that closes the one at `index`."""
        opening = self.text[index]
        closing = ")" if opening == "(" else "}"
        depth = 0
        for position in range(index, len(self.text)):
            char = self.text[position]
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return position + 1
        return len(self.text)


def words(text: str, escape: str = "\\") -> list[Word]:
    """All words of `text`, operators dropped."""
    return [token for token in _Lexer(text, escape).tokens() if isinstance(token, Word)]


def commands(text: str, escape: str = "\\") -> list[Command]:
    """The simple commands of a shell text, in order. Control keywords
    (`if`, `then`, `do`...) are dropped from the front of a command."""
    result: list[Command] = []
    current: list[Word] = []
    before = ""
    for token in _Lexer(text, escape).tokens():
        if isinstance(token, Word):
            if not current and token.raw in _CONTROL_WORDS:
                continue
            current.append(token)
            continue
        if current:
            result.append(Command(tuple(current), token, before))
            current = []
        before = token
    if current:
        result.append(Command(tuple(current), "", before))
    return result


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def is_assignment(word: str) -> bool:
    return bool(_ASSIGNMENT.match(word))


def program_name(word: str) -> str:
    """`/usr/local/bin/gunicorn` -> `gunicorn`."""
    return word.rsplit("/", 1)[-1]


SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def script_index(argv: Sequence[str]) -> int | None:
    """Where the script is in `sh -c "script"`, `bash -ec "..."`, `bash -o pipefail -c "..."`.

    `argv[0]` must be the shell; None when it runs no `-c` script.
    """
    if not argv or program_name(argv[0]) not in SHELLS:
        return None
    position = 1
    while position < len(argv):
        word = argv[position]
        if word in ("-o", "+o", "-O", "+O"):
            position += 2
            continue
        if not word.startswith(("-", "+")) or word.startswith("--"):
            return None
        if "c" in word[1:]:
            return position + 1 if position + 1 < len(argv) else None
        position += 1
    return None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def physical_lines(text: str) -> list[str]:
    """Lines with their endings, split on \\n, \\r\\n and \\r only (as rows are counted everywhere)."""
    return _LINE.findall(text)
