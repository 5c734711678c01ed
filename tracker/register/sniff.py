"""What a file is, judged by its bytes, never by its name.

County offices save tables as Excel 2007+ (``.xlsx``, also as WPS saves it), Excel 97-2003 (``.xls``), LibreOffice
(``.ods``), Excel binary (``.xlsb``), and government web systems export "Excel" files that are really an HTML table or
Excel's "Unicode 文本" (UTF-16, tab-separated) under a ``.xls`` name. An ``.xlsx`` renamed ``.xls`` is still an
``.xlsx``. The container decides:

* a ZIP holding ``xl/workbook.xml`` is xlsx (xlsm, xltx), ``xl/workbook.bin`` xlsb, an OpenDocument spreadsheet
  (``mimetype`` or ``content.xml``) ods;
* an OLE2 compound file holding ``EncryptionInfo`` is a workbook with a password to open (Excel and WPS encrypt
  xlsx that way), one holding a ``Workbook``/``Book`` stream is xls (WPS ``.et`` files are the same container);
* text: HTML holding a ``<table>``, or CSV/TSV (UTF-8 with or without BOM, GB18030, UTF-16 with BOM);
* nothing at all is empty, anything else not a spreadsheet (or damaged: a truncated ZIP loses its directory).

The OLE2 directory is read with olefile (a well-kept library), the ZIP directory with :mod:`zipfile`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["xlsx", "xlsb", "ods", "xls", "encrypted", "html", "text", "empty", "damaged", "unsupported",
               "unknown"]

#: what each kind is called in a sentence for the clerk
NAMES: dict[str, str] = {
    "xlsx": "Excel 工作簿（.xlsx）", "xlsb": "Excel 二进制工作簿（.xlsb）", "ods": "OpenDocument 表格（.ods）",
    "xls": "Excel 97-2003 工作簿（.xls）", "encrypted": "设置了打开密码的工作簿", "html": "网页表格（HTML）",
    "text": "文本表格（CSV/制表符分隔）", "empty": "空文件", "damaged": "已损坏的压缩包",
    "unsupported": "本程序不读的表格格式", "unknown": "未知格式",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|table|meta|head|body|tr|td)[\s>/]", re.I)
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_HEAD = 4096
_OTHER_MAGIC = (
    (b"%PDF", "PDF 文档"), (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩包"), (b"{\\rtf", "RTF 文档"),
)
_ZIP_OTHERS = (
    ("word/", "Word 文档（.docx）"), ("ppt/", "PowerPoint 演示文稿（.pptx）"),
    ("Index/Document.iwa", "Apple Numbers 表格"),
    ("opendocument.text", "OpenDocument 文本（.odt）"),
)


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    detail: str = ""  # what more was seen (the OLE2 streams of an unknown compound file, a ZIP's odd content)


def sniff(path: Path) -> Sniffed:
    """The kind of file at ``path`` (``OSError`` is left to the caller)."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    if not head:
        return Sniffed("empty")
    if head.startswith(_OLE2):
        return _ole2(path)
    if head.startswith(_ZIP):
        return _zip(path)
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            return Sniffed("unknown", what)
    if _looks_textual(head):
        text = _ascii_view(head).removeprefix(_BOMS[0]).lstrip()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text and b"<Workbook" in text:
            return Sniffed("unsupported", "Excel 2003 XML 表格（SpreadsheetML）")
        return Sniffed("html") if text.startswith(b"<") and _HTML.search(text) else Sniffed("text")
    return Sniffed("unknown")


def _zip(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
            else:
                mimetype = b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return Sniffed("damaged")
    if "xl/workbook.xml" in names or any(n.lower().endswith("/workbook.xml") and n.startswith("xl") for n in names):
        return Sniffed("xlsx")
    if "xl/workbook.bin" in names:
        return Sniffed("xlsb")
    if mimetype.strip() == _ODS_MIME or (not mimetype and "content.xml" in names):
        return Sniffed("ods")
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return Sniffed("xlsx")  # a workbook part under another name: the xlsx reader follows the relationships
    for prefix, what in _ZIP_OTHERS:
        if prefix in names or any(n.startswith(prefix) for n in names) or mimetype.strip().endswith(prefix.encode()):
            return Sniffed("unknown", what)
    return Sniffed("unknown", "压缩包（ZIP）")


def _ole2(path: Path) -> Sniffed:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError):  # (olefile's own errors are OSErrors)
        return Sniffed("damaged")
    lowered = {s.lower() for s in streams}
    if "encryptioninfo" in lowered or "encryptedpackage" in lowered:
        return Sniffed("encrypted")
    if lowered & {"workbook", "book"}:
        return Sniffed("xls")
    if "worddocument" in lowered:
        return Sniffed("unknown", "Word 文档（.doc）")
    if "powerpoint document" in lowered:
        return Sniffed("unknown", "PowerPoint 演示文稿（.ppt）")
    return Sniffed("unknown", "OLE 复合文档")


def _looks_textual(head: bytes) -> bool:
    """No NUL byte outside UTF-16, no control bytes but tab and line ends: text (any of our encodings)."""
    if head.startswith(_BOMS[1:]):
        return True
    body = head[3:] if head.startswith(_BOMS[0]) else head
    return b"\x00" not in body and not re.search(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]", body)


def _ascii_view(head: bytes) -> bytes:
    """The head with UTF-16 reduced to its low bytes, so markup can be searched for in any encoding."""
    if head.startswith(b"\xff\xfe"):
        return head[2::2]
    if head.startswith(b"\xfe\xff"):
        return head[3::2]
    return head
