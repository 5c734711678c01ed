"""Reading one CSV file of a register: encoding detection and a streaming, memory-lean parse.

The file is UTF-8 (with or without BOM) when it decodes cleanly as UTF-8, otherwise GB18030 (a superset of
GBK); neither gives one plain sentence. It is parsed with ``csv.reader`` record by record straight from
the file, without holding the whole text in memory, and kept encoded (:class:`~tracker.encoded.EncodedRows`):
a million-household register is a few hundred MB instead of several GB. The records, their numbers and
the errors are exactly those of ``csv.reader`` over the fully decoded text.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from .encoded import EncodedRows, read_csv_lines
from .errors import SourceError

_NOT_DECODABLE = "CSV 文件既不是 UTF-8 也不是 GB18030/GBK 编码，请在 Excel 中另存为“CSV UTF-8”。"


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


def parse_csv_text(text: str) -> EncodedRows:
    """The rows of decoded CSV text."""
    return read_csv_lines(io.StringIO(text, newline=""))


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 22):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_csv_file(path: Path) -> EncodedRows:
    """The rows of one CSV file (``csv.Error`` and ``OSError`` are left to the caller, as before)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as stream:
                return read_csv_lines(stream)
        except UnicodeDecodeError:
            continue
        except csv.Error:
            # the whole text is decoded before parsing: a file that does not decode is an encoding problem
            if _decodes(path, encoding):
                raise
            continue
    raise SourceError(_NOT_DECODABLE)
