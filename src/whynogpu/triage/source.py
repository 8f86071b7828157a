"""A pasted report, read line by line as often as its readers need, never held whole.

Triage reads a report three times (the reader of facts, the code blocks, the names to redact). A 50 MB
paste held as one string costs up to four bytes a character, and each copy (decoded, cleaned) more; here
each pass reads the file again, a chunk at a time. Standard input is spooled once (in memory up to a
few MB, then to a temporary file) so that it too can be read again.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from whynogpu.parsers.logs import clean, iter_lines

CHUNK = 1 << 20  # characters of a line made at once; a longer line comes in chunks with the same number
_ANSI_OR_NUL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x00")
SPOOL = 8 << 20  # bytes of standard input kept in memory before the spool moves to a temporary file


class ReportText:
    """The text of a report: from a string (tests, the Python API) or from bytes on a re-readable stream."""

    def __init__(self, text: str | None = None, stream: BinaryIO | None = None, limit: int = 0) -> None:
        self._text = text
        self._stream = stream
        self._limit = limit  # bytes of the stream read at most (0: all)

    @classmethod
    def from_stdin(cls, stdin: BinaryIO, limit: int) -> ReportText:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        left = limit
        while left > 0:
            block = stdin.read(min(left, 1 << 20))
            if not block:
                break
            spool.write(block)
            left -= len(block)
        return cls(stream=spool, limit=limit)

    def head(self, size: int = 8192) -> bytes:
        """The first bytes as they are (to tell a binary file), empty for a string."""
        if self._stream is None:
            return b""
        self._stream.seek(0)
        return self._stream.read(size)

    def start(self, chars: int) -> str:
        """The report's first lines, cleaned, up to about `chars` characters (a huge paste is not read whole)."""
        out, size = [], 0
        for _n, piece in self.numbered():
            if size >= chars:
                break
            out.append(piece)
            size += len(piece) + 1
        return "\n".join(out)[:chars]

    def numbered(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of each line, cleaned (no ANSI codes, no NUL, \\n line ends); a line longer
        than CHUNK characters comes as several items with the same number."""
        if self._text is not None:
            for n, line in enumerate(iter_lines(clean(self._text)), 1):
                for at in range(0, max(len(line), 1), CHUNK):
                    yield n, line[at:at + CHUNK]
            return
        n, more = 1, False
        for chunk in self._chunks():
            whole = chunk.endswith("\n")
            text = chunk[:-1] if whole else chunk
            yield n, _ANSI_OR_NUL.sub("", text) if ("\x1b" in text or "\x00" in text) else text
            more = not whole
            if whole:
                n += 1
        if not more:
            yield n, ""  # after the last line end (or in an empty report) an empty line, as for a string

    def _chunks(self) -> Iterator[str]:
        stream = self._stream
        stream.seek(0)
        start = stream.read(4)
        encoding = "utf-16" if start[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        stream.seek(0)
        # Wrapped, so that closing the reader never closes the stream: the next pass reads it again.
        raw = _Bounded(stream, self._limit or 1 << 62)
        # newline=None: \r\n and a lone \r (progress bars) end a line too, as clean() does for a string
        text = io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, errors="replace", newline=None)
        while True:
            chunk = text.readline(CHUNK)
            if not chunk:
                return
            yield chunk

    def lines(self) -> Iterator[str]:
        """The lines (long ones in chunks), without numbers."""
        return (line for _, line in self.numbered())


class _Bounded(io.RawIOBase):
    """A stream that ends after `limit` bytes (the rest of a huge paste is never read)."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream, self._left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(buf), self._left))
        buf[:len(data)] = data
        self._left -= len(data)
        return len(data)
