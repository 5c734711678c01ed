"""Nothing personal in clear anywhere in a built site; minimised data after decryption; no password cache.

A demo register of a few hundred households is built through the CLI with generated passwords, then every
file of the output (text or binary, ``.gz`` decompressed, and every file's path) is scanned for every
person's name (户主姓名, 乡镇审核人, 帮扶责任人, 村级负责人, 经办人), ID number and phone number of the
register, in four forms: plain, JSON-escaped (``\\uXXXX``), HTML entities (decimal and hex) and URL-encoded.
Each encoded form is found by decoding every run of two or more escaped characters in the file and looking
for the plain value in the result, which finds whatever a literal search for ``json.dumps(s)[1:-1]``,
``&#...;`` / ``&#x...;`` or ``quote(s)`` would (``json.dumps`` and ``quote`` leave ASCII digits as they
are, so ID numbers and phones in those forms are caught by the plain search);
``test_scanner_finds_every_form`` proves the scanner on planted canaries.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tests.decrypt import decrypted_html, is_encrypted
from tracker.cli.app import main
from tracker.demo.generator import generate
from tracker.register.sheets import SheetData
from tracker.register.writers import write_register

AS_OF = date(2026, 11, 15)
REPO = Path(__file__).resolve().parent.parent
PERSON_COLUMNS = ("户主姓名", "乡镇审核人", "帮扶责任人", "村级负责人", "经办人")
ID_COLUMNS = ("户主身份证号",)
PHONE_COLUMNS = ("联系电话",)
SITE_NAME = "防止返贫监测台账"


# ------------------------------------------------------------------------------------------- scanner


def personal_values(sheets: list[SheetData]) -> dict[str, set[str]]:
    """Every name, ID number and phone number of the register, by kind."""
    found: dict[str, set[str]] = {"name": set(), "id": set(), "phone": set()}
    for sheet in sheets:
        for kind, columns in (("name", PERSON_COLUMNS), ("id", ID_COLUMNS), ("phone", PHONE_COLUMNS)):
            for index in [i for i, h in enumerate(sheet.header) if h in columns]:
                for row in sheet.rows:
                    value = row[index]
                    if value not in (None, ""):
                        found[kind].add(str(value).strip())
    return found


_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_DIGIT_RUN = re.compile(r"[0-9Xx-]{7,}")
#: Runs of one encoding (two or more escaped characters in a row: a name is escaped as a whole).
_JSON_RUN = re.compile(r"(?:\\u[0-9a-fA-F]{4}){2,}")
_ENTITY_RUN = re.compile(r"(?:&#[xX]?[0-9a-fA-F]+;){2,}")
_URL_RUN = re.compile(r"(?:%[0-9a-fA-F]{2}){2,}")


def _json_decode(run: str) -> str:
    try:
        return json.loads(f'"{run}"')
    except ValueError:
        return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), run)


@dataclass(frozen=True)
class Hit:
    where: str
    form: str
    kind: str
    value: str


class Scanner:
    def __init__(self, values: dict[str, set[str]]) -> None:
        self.names = values["name"]
        self.digits = {v.upper(): k for k in ("id", "phone") for v in values[k]}
        self.name_lengths = sorted({len(n) for n in self.names})

    def _plain(self, text: str) -> Iterator[tuple[str, str]]:
        for run in _CJK_RUN.findall(text):
            for size in self.name_lengths:
                for i in range(len(run) - size + 1):
                    if run[i:i + size] in self.names:
                        yield "name", run[i:i + size]
        for run in _DIGIT_RUN.findall(text):
            run = run.upper()
            for value, kind in self.digits.items():
                if value in run:
                    yield kind, value

    def scan_text(self, text: str, where: str) -> list[Hit]:
        hits = [Hit(where, "plain", k, v) for k, v in self._plain(text)]
        decoders = (("json", _JSON_RUN, _json_decode), ("entity", _ENTITY_RUN, html.unescape),
                    ("url", _URL_RUN, lambda s: unquote(s, errors="replace")))
        for form, pattern, decode in decoders:
            for run in pattern.findall(text):
                hits += [Hit(where, form, k, v) for k, v in self._plain(decode(run))]
        return hits

    def scan_dir(self, root: Path) -> tuple[int, list[Hit]]:
        files, hits = 0, []
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            hits += self.scan_text(rel, f"path {rel}")
            if not path.is_file():
                continue
            files += 1
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            hits += self.scan_text(data.decode("utf-8", errors="ignore"), rel)
        return files, hits


# ------------------------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Built:
    root: Path
    register: Path
    sheets: list[SheetData]
    secrets: Path
    out: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("privacy")
    sheets = generate(villages=24, households=360, seed=23, today=AS_OF)
    register = root / "register.xlsx"
    write_register(sheets, register)
    secrets = root / "private" / "secrets.toml"
    assert main(["passwords", "generate", "--source", str(register), "--secrets", str(secrets),
                 "--sheets", str(root / "private" / "sheets")]) == 0
    out = root / "public"
    assert main(["build", "--source", str(register), "--out", str(out), "--as-of", AS_OF.isoformat(),
                 "--secrets", str(secrets)]) == 0
    return Built(root, register, sheets, secrets, out)


def _passwords(secrets: Path) -> dict[str, str]:
    import tomllib

    data = tomllib.loads(secrets.read_text(encoding="utf-8"))
    out = {"county": data["county"]["password"]}
    out.update({f"t:{k}": v for k, v in data["townships"].items()})
    out.update({f"v:{k}": v for k, v in data["villages"].items()})
    return out


def _protected(out: Path) -> list[Path]:
    pages = [out / "index.html", out / "report.html", out / "checklist.html", out / "unassigned.html"]
    pages += sorted(out.glob("t*/*.html"))
    return [p for p in pages if p.exists()]


# ------------------------------------------------------------------------------------------- tests


def test_scanner_finds_every_form(tmp_path: Path) -> None:
    values = {"name": {"欧阳测试", "王芳"}, "id": {"11010519491231002X"}, "phone": {"19900001111", "0396-61234567"}}
    name, id_number, phone = "欧阳测试", "11010519491231002X", "19900001111"
    planted = {
        "plain.html": f"<td>{name}</td>",
        "json.json": json.dumps({"t": f"户主{name}"}),
        "dec.html": "".join(f"&#{ord(c)};" for c in name),
        "hex.html": "".join(f"&#x{ord(c):x};" for c in "王芳"),
        "url.txt": "/search?q=" + quote(name),
        "id.js": f"var x = '{id_number.lower()}';",
        "id-entity.html": "".join(f"&#{ord(c)};" for c in id_number),
        "landline.txt": "电话0396-61234567",
    }
    for rel, text in planted.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(f"<loc>{phone}</loc>".encode()))
    (tmp_path / f"{name}.html").write_text("x", encoding="utf-8")
    files, hits = Scanner(values).scan_dir(tmp_path)
    found = {(h.where.removeprefix("path "), h.form) for h in hits}
    for rel, form in (("plain.html", "plain"), ("json.json", "json"), ("dec.html", "entity"), ("hex.html", "entity"),
                      ("url.txt", "url"), ("id.js", "plain"), ("id-entity.html", "entity"),
                      ("landline.txt", "plain"), ("sitemap.xml.gz", "plain"), (f"{name}.html", "plain")):
        assert (rel, form) in found, (rel, form, hits)
    assert files == len(planted) + 2


def test_no_personal_data_in_clear_anywhere(built: Built) -> None:
    values = personal_values(built.sheets)
    assert len(values["name"]) > 300 and len(values["id"]) >= 360 and len(values["phone"]) > 250
    files, hits = Scanner(values).scan_dir(built.out)
    assert files > 80
    assert (built.out / "sitemap.xml.gz").exists() and (built.out / "search" / "search_index.json").exists()
    assert not hits, hits[:20]


def test_every_protected_page_is_encrypted_and_public_pages_are_not(built: Built) -> None:
    protected = _protected(built.out)
    villages = list(built.out.glob("t*/v*.html"))
    assert len(villages) == 24 and len(protected) > 24 + 2
    for page in protected:
        text = page.read_text(encoding="utf-8")
        assert is_encrypted(text), page
        assert re.search(r"<title>([^<]*)</title>", text).group(1) == SITE_NAME, page
        assert '<meta name="description"' not in text and "<meta content" not in text.replace(
            '<meta content="width=device-width,initial-scale=1"', "").replace('<meta content="mkdocs-', ""), page
        assert "<h2" not in text and "<table" not in text, page  # headings, TOC and tables only inside the cipher
    for page in (built.out / "guide").glob("*.html"):
        assert not is_encrypted(page.read_text(encoding="utf-8")), page


def test_search_index_lists_public_pages_only(built: Built) -> None:
    index = json.loads((built.out / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert locations and all(loc.startswith("guide/") or loc in ("", "404.html") for loc in locations), locations


def test_data_minimised_after_decryption(built: Built) -> None:
    """Decrypted with the county password: IDs only as 4+4, phones as 3+4, no full number in any form."""
    county = _passwords(built.secrets)["county"]
    values = personal_values(built.sheets)
    scanner = Scanner({"name": set(), "id": values["id"], "phone": values["phone"]})
    masked_ids = 0
    for page in _protected(built.out):
        text = decrypted_html(page, county)
        assert not is_encrypted(text)
        hits = scanner.scan_text(text, page.name)
        assert not hits, hits[:5]
        masked_ids += len(re.findall(r"\b\d{4}\*{10}[\dX]{4}\b", text))
        assert not re.search(r"(?<![\d*])1[3-9]\d{9}(?!\d)", text), page  # a full mobile number
    assert masked_ids >= 360


def test_passwords_are_nowhere_in_the_output_and_no_cache_exists(built: Built) -> None:
    passwords = set(_passwords(built.secrets).values())
    blob = b"".join(p.read_bytes() for p in built.out.rglob("*") if p.is_file())
    assert not [pw for pw in passwords if pw.encode() in blob]
    for place in (REPO, built.out, built.root, Path.cwd()):
        caches = [p for p in place.rglob("encryptcontent.cache") if ".git" not in p.parts]
        assert not caches, caches
    assert not list(built.out.rglob("*.cache")) and not list(built.out.rglob("*.toml"))
    assert stat.S_IMODE(built.secrets.stat().st_mode) == 0o600
    sheets = list((built.root / "private" / "sheets").glob("*.md"))
    assert sheets and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in sheets)


def _weak_secrets(built: Built, tmp_path: Path) -> Path:
    text = built.secrets.read_text(encoding="utf-8")
    county = _passwords(built.secrets)["county"]
    weak = tmp_path / "weak.toml"
    weak.write_text(text.replace(county, "qinghe123456789a"), encoding="utf-8")
    return weak


def test_weak_password_fails_with_one_sentence(built: Built, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    weak = _weak_secrets(built, tmp_path)
    out = tmp_path / "site"
    code = main(["build", "--source", str(built.register), "--out", str(out), "--secrets", str(weak)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert err.startswith("错误：县级的密码太容易猜") and "\n" not in err and "qinghe123456789a" not in err, err


def test_weak_password_cli_exit_code_and_no_traceback(built: Built, tmp_path: Path) -> None:
    weak = _weak_secrets(built, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TRACKER_COUNTY_PASSWORD", None)
    result = subprocess.run([sys.executable, "-m", "tracker", "build", "--source", str(built.register), "--out",
                             str(tmp_path / "site"), "--secrets", str(weak)], capture_output=True, text=True,
                            timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "密码" in result.stderr and "qinghe123456789a" not in result.stderr + result.stdout


def test_county_password_from_environment_overrides_the_file(built: Built, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRACKER_COUNTY_PASSWORD", "short")
    code = main(["build", "--source", str(built.register), "--out", str(tmp_path / "site"), "--secrets",
                 str(built.secrets)])
    assert code == 2 and "县级的密码太短" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["repo", "output"])
def test_secrets_inside_repository_or_output_refused(built: Built, tmp_path: Path, where: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    inside = REPO / "tests" / "secrets-should-never-exist.toml" if where == "repo" else out / "secrets.toml"
    code = main(["build", "--source", str(built.register), "--out", str(out), "--secrets", str(inside)])
    err = capsys.readouterr().err
    assert code == 2 and ("git 仓库" if where == "repo" else "网站输出目录") in err
    assert not inside.exists()


def test_build_without_passwords_refused(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TRACKER_SECRETS", raising=False)
    monkeypatch.delenv("TRACKER_COUNTY_PASSWORD", raising=False)
    code = main(["build", "--source", str(built.register), "--out", str(tmp_path / "site")])
    assert code == 2 and "没有配置网站密码" in capsys.readouterr().err
