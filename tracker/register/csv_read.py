"""Reading one CSV file of a register: encoding detection and a streaming, memory-lean parse.

The file is UTF-16 when it starts with a UTF-16 byte-order mark (Excel's "Unicode 文本"), else UTF-8 (with or
without BOM) when it decodes cleanly as UTF-8, otherwise GB18030 (a superset of GBK); none gives one plain sentence.
The delimiter is a comma, or a tab when the first lines are tab-separated (Excel's text saves, web exports).
It is parsed with ``csv.reader`` record by record straight from
the file, without holding the whole text in memory, and kept encoded (:class:`~tracker.register.encoded.EncodedRows`):
a million-household register is a few hundred MB instead of several GB. The records, their numbers and
the errors are exactly those of ``csv.reader`` over the fully decoded text.

Quoting is read strictly first.  A quote that is never closed would otherwise swallow every later line into
one cell, silently (57 of 60 households gone): it is an error naming the line where the quote opened.  Other
quoting slips (``"张三" ,`` with a space after the closing quote) are read as before, tolerantly.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from tracker.common import SourceError

from .encoded import EncodedRows, read_csv_lines

_NOT_DECODABLE = "文本文件既不是 UTF-8、UTF-16 也不是 GB18030/GBK 编码，请在 Excel 中另存为“CSV UTF-8”。"


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes cleanly, otherwise GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceError(_NOT_DECODABLE) from exc


class UnclosedQuote(csv.Error):
    """A quoted cell runs to the end of the file."""


def _unclosed_quote(lines: Iterable[str]) -> UnclosedQuote:
    """Where the cell that runs to the end of the file starts (record number and physical line)."""
    reader = csv.reader(lines)
    number, last = 0, [""]
    for number, last in enumerate(reader, start=1):  # noqa: B007 (only the last one matters)
        pass
    breaks = sum(cell.count("\n") for cell in last)  # lines spanned by the record, less one
    ends_on_break = bool(last) and last[-1].endswith("\n")  # the file's last line break is inside the cell
    line = max(reader.line_num - breaks + ends_on_break, 1)
    return UnclosedQuote(f"第 {number} 行（文件第 {line} 行）有一个双引号（\"）没有配对，从这里到文件末尾的 "
                         f"{reader.line_num - line + 1} 行都会被读成同一个单元格；请找到这一行多余或缺少的双引号改正")


def _parse(open_lines: Callable[[], Iterable[str]], delimiter: str = ",") -> EncodedRows:
    try:
        return read_csv_lines(open_lines(), strict=True, delimiter=delimiter)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _unclosed_quote(open_lines()) from exc
    return read_csv_lines(open_lines(), delimiter=delimiter)


def parse_csv_text(text: str) -> EncodedRows:
    """The rows of decoded CSV text."""
    return _parse(lambda: io.StringIO(text, newline=""), sniff_delimiter(text[:_SNIFF_CHARS]))


_SNIFF_CHARS = 1 << 16


def sniff_delimiter(head: str) -> str:
    """A tab when the first lines hold more tabs than commas (outside quotes, roughly), else a comma."""
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    tabs = sum(line.count("\t") for line in lines)
    commas = sum(line.count(",") for line in lines)
    return "\t" if tabs > commas else ","


def decodes_as(path: Path, encoding: str) -> bool:
    """The whole file decodes in ``encoding`` (read in blocks: memory stays bounded)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 22):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _encodings(path: Path) -> tuple[str, ...]:
    with path.open("rb") as stream:
        bom = stream.read(2)
    return ("utf-16",) if bom in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")


def read_csv_file(path: Path) -> EncodedRows:
    """The rows of one CSV (or tab-separated text) file (``csv.Error`` and ``OSError`` are left to the caller, as
    before)."""
    for encoding in _encodings(path):
        try:
            with path.open(encoding=encoding, newline="") as head:
                delimiter = sniff_delimiter(head.read(_SNIFF_CHARS))
            with ExitStack() as files:
                return _parse(lambda: files.enter_context(path.open(encoding=encoding, newline="")),  # noqa: B023
                              delimiter)
        except UnicodeDecodeError:
            continue
        except csv.Error:
            # the whole text is decoded before parsing: a file that does not decode is an encoding problem
            if decodes_as(path, encoding):
                raise
            continue
    raise SourceError(_NOT_DECODABLE)
