"""CSV streaming: encoding and delimiter detection, physical lines, records with line numbers.

Each physical line is decoded on its own: UTF-8 when it is valid UTF-8, else Windows-1252
(Latin-1 for the five bytes cp1252 leaves undefined), so accents come out right even in a
file that mixes both. UTF-16 files (Excel's "Unicode text") are read whole-file as UTF-16.

A record's line number is the physical line where it starts (header = line 1 if first).
A quoted cell may span lines; an unbalanced quote must not swallow the rows after it, so
a multi-line record is refused (and the parser restarts on the next physical line) when
it runs over ``MAX_RECORD_LINES`` lines, holds a line that looks like a whole row, or has
more cells than the header.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple

from agency.domain.intake.errors import NotATableError
from agency.domain.intake.limits import too_long_line

MAX_LINE_BYTES = 1 << 20
MAX_RECORD_LINES = 20
SAMPLE_BYTES = 1 << 16
DELIMITERS = (";", ",", "\t", "|")

# cp1252's letters for the bytes latin-1 decodes as C1 controls (0x80-0x9F).
_CP1252_C1 = {code: bytes([code]).decode("cp1252", "ignore") or chr(code) for code in range(0x80, 0xA0)}
_C1_TO_CP1252 = str.maketrans({chr(code): char for code, char in _CP1252_C1.items()})


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RawRow(NamedTuple):
    """One record of the file: its first physical line, its cells, and why it is unreadable."""

    line: int
    cells: tuple
    problem: str | None = None


def decode_line(raw: bytes) -> str:
    """UTF-8 if valid, else Windows-1252 with Latin-1 for its undefined bytes."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1").translate(_C1_TO_CP1252)


class CsvFormat(NamedTuple):
    encoding: str   # 'utf-8', 'utf-8-sig', 'cp1252' (some line was not UTF-8) or 'utf-16'
    newline: bytes  # b'\n' (also covers \r\n) or b'\r' (old Mac files)
    delimiter: str


def sniff_csv(stream: BinaryIO, header_score: Callable[[list[str]], int]) -> CsvFormat:
    """Encoding, line ending and delimiter of a text file, from its first 64 KiB;
    ``header_score`` counts the known headers in a row (the delimiter that reveals
    the header row wins)."""
    stream.seek(0)
    head = stream.read(SAMPLE_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, newline = "utf-16", b"\n"
        text = head[: len(head) & ~1].decode("utf-16", "replace")
    else:
        if b"\x00" in head:
            raise NotATableError("Le fichier est binaire : ce n'est pas un tableau CSV ou Excel.")
        newline = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
        cut = head.rfind(newline) + 1 if len(head) == SAMPLE_BYTES and newline in head else len(head)
        lines = [decode_line(line) for line in head[:cut].split(newline)]
        text = "\n".join(lines)
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else (
            "utf-8" if _is_utf8(head[:cut]) else "cp1252")
    _refuse_control_characters(text)
    return CsvFormat(encoding, newline, _pick_delimiter(text.lstrip("\ufeff"), header_score))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_control_characters(text: str) -> None:
    """Binary content decoded as text shows many control characters; real tables almost none."""
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 200):
        raise NotATableError("Le fichier est binaire : ce n'est pas un tableau CSV ou Excel.")


def _pick_delimiter(sample: str, header_score: Callable[[list[str]], int]) -> str:
    """The delimiter under which a row reads as known headers, else the one splitting the
    sample's records into the most consistent cell count."""
    best, best_score = "", (0, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = [row for row in _sample_rows(sample, delimiter) if any(cell.strip() for cell in row)]
        if not rows:
            continue
        headers = max(header_score(row) for row in rows[:30])
        counts = [len(row) for row in rows]
        width = max(set(counts), key=lambda n: (counts.count(n), n))
        consistency = counts.count(width) / len(counts) if width >= 2 else 0.0
        score = (headers if headers >= 2 else 0, consistency, width)
        if score > best_score:
            best, best_score = delimiter, score
    if not best or best_score[:2] == (0, 0.0):
        raise NotATableError("Le fichier n'a qu'une colonne : aucun séparateur (; , tabulation) "
                             "n'a été reconnu. Ce n'est pas un tableau.")
    return best


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    try:
        return [row for _, row in zip(range(200), csv.reader(io.StringIO(sample), delimiter=delimiter))]
    except csv.Error:
        return []


def physical_lines(stream: BinaryIO, fmt: CsvFormat,
                   max_line: int = MAX_LINE_BYTES) -> Iterator[str]:
    """The file's decoded lines, each with its line ending; refuses lines over ``max_line``
    bytes (LimitError)."""
    stream.seek(0)
    if fmt.encoding == "utf-16":
        text = io.TextIOWrapper(stream, "utf-16", "replace", newline="")
        try:
            yield from _bounded(text.readline, "", max_line)
        finally:
            text.detach()  # the caller owns the binary stream: do not close it
        return
    raw_lines = (_bounded(stream.readline, b"", max_line) if fmt.newline == b"\n"
                 else _split_cr(stream, max_line))
    first = True
    for raw in raw_lines:
        if first:
            raw, first = raw.removeprefix(codecs.BOM_UTF8), False
        text = decode_line(raw)
        if "\r" in text[:-2]:  # a lone CR inside a line breaks the csv module
            text = text[:-2].replace("\r", " ") + text[-2:]
        yield text


def _bounded(readline: Callable, empty: bytes | str, max_line: int) -> Iterator:
    while True:
        line = readline(max_line)
        if not line:
            return
        if len(line) >= max_line and not line.endswith(("\n" if empty == "" else b"\n")):
            raise too_long_line(max_line)
        yield line


def _split_cr(stream: BinaryIO, max_line: int) -> Iterator[bytes]:
    """Lines of a file whose only line ending is CR."""
    pending = b""
    while chunk := stream.read(SAMPLE_BYTES):
        pending += chunk
        *lines, pending = pending.split(b"\r")
        yield from (line + b"\n" for line in lines)
        if len(pending) > max_line:
            raise too_long_line(max_line)
    if pending:
        yield pending


class _Runaway(Exception):
    """A quoted cell ran over too many lines."""


class _Feed:
    """Feeds physical lines to csv.reader and remembers those of the record being read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.pending: deque[str] = deque()
        self.current: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if len(self.current) >= MAX_RECORD_LINES:
            raise _Runaway
        line = self.pending.popleft() if self.pending else next(self._lines)
        self.current.append(line)
        return line


UNBALANCED = ("Guillemet non fermé : la ligne n'a pas pu être découpée en colonnes "
              "(les lignes suivantes ont été relues séparément).")


def records(lines: Iterator[str], delimiter: str, width: Callable[[], int | None]) -> Iterator[RawRow]:
    """Records with the physical line they start on; ``width()`` is the header's cell count
    once known (None before)."""
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delimiter, strict=False)
    line = 1
    while True:
        feed.current = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (_Runaway, csv.Error):
            cells = None
        span = len(feed.current)
        if cells is not None and (span == 1 or _plausible(cells, feed.current, delimiter, width())):
            yield RawRow(line, tuple(cells))
            line += span
            continue
        yield RawRow(line, (), UNBALANCED)
        feed.pending.extendleft(reversed(feed.current[1:]))
        reader = csv.reader(feed, delimiter=delimiter, strict=False)
        line += 1


def _plausible(cells: list[str], lines: list[str], delimiter: str, width: int | None) -> bool:
    """Whether a multi-line record is a real quoted cell with line breaks, not runaway quoting."""
    if width is None:
        return True
    used = len(cells)
    while used and not cells[used - 1].strip():
        used -= 1
    if used > width:
        return False
    last = len(lines) - 1
    for position, text in enumerate(lines[1:], start=1):
        if position == last and '"' in text:
            continue
        if width >= 2 and len(next(csv.reader([text], delimiter=delimiter), [])) >= width:
            return False
    return True


def count_lines(stream: BinaryIO, fmt: CsvFormat, max_line: int = MAX_LINE_BYTES) -> int:
    """Physical lines in the file, counted in one fast pass (no decoding)."""
    stream.seek(0)
    if fmt.encoding == "utf-16":
        return sum(1 for _ in physical_lines(stream, fmt, max_line))
    count, last = 0, b""
    while chunk := stream.read(SAMPLE_BYTES):
        count += chunk.count(fmt.newline)
        last = chunk[-1:]
    return count + (1 if last and last != fmt.newline else 0)
