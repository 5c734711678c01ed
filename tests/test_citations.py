"""Every citation is honest: its quote stands verbatim (whitespace ignored) in the clause it names, of the document
it names; every error rests on a cited clause; every finding of ``tracker check --format json`` carries its
citations.

The documents' texts are in ``tests/policy_texts`` (郑脱贫组〔2020〕2号 and the 豫脱贫组〔2020〕13号 it forwards, as
published; official documents are not subject to copyright). When the shared policy folder of the workplace is
present beside the checkout, the copies must match it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.rules import RULES
from tracker.rules.basis import BASES, DOCUMENTS, YU_13, ZHENG_2, Citation

TEXTS = Path(__file__).resolve().parent / "policy_texts"
FILES = {ZHENG_2: TEXTS / "zheng-2020-2.txt", YU_13: TEXTS / "yu-2020-13.txt"}
SHARED = Path(__file__).resolve().parents[2] / "shared" / "policy"

_NUMERALS = "一二三四五六七八九十"
_PART = re.compile(rf"^([{_NUMERALS}]+)、")
_SECTION = re.compile(rf"^[（(]([{_NUMERALS}]+)[）)]")
_ITEM = re.compile(r"^(\d+)[.．、]")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def clauses(text: str) -> dict[str, str]:
    """Clause -> its text (whitespace removed), for every part (一), section (一、(二)) and item (三、(三)2): a clause
    holds the text of the clauses inside it."""
    out: dict[str, list[str]] = {}
    part = section = item = ""
    for line in text.splitlines():
        line = line.strip()
        if found := _PART.match(line):
            part, section, item = found.group(1), "", ""
        elif part and (found := _SECTION.match(line)):
            section, item = found.group(1), ""
        elif part and section and (found := _ITEM.match(line)):
            item = found.group(1)
        if not part:
            continue
        keys = [part, f"{part}、({section})" if section else "", f"{part}、({section}){item}" if item else ""]
        for key in filter(None, keys):
            out.setdefault(key, []).append(line)
    return {key: _squeeze("".join(lines)) for key, lines in out.items()}


def _citations() -> list[tuple[str, Citation]]:
    return [(key, c) for key, basis in BASES.items() for c in basis.citations]


def test_the_copies_are_the_documents() -> None:
    if not SHARED.is_dir():
        pytest.skip("the workplace's shared policy folder is not beside this checkout")
    shared = "".join(p.read_text(encoding="utf-8") for p in sorted(SHARED.glob("*.txt")))
    for path in FILES.values():
        assert _squeeze(path.read_text(encoding="utf-8")) in _squeeze(shared), path.name


@pytest.mark.parametrize(("key", "citation"), _citations(), ids=lambda v: v if isinstance(v, str) else v.clause)
def test_every_quote_is_verbatim_in_its_clause(key: str, citation: Citation) -> None:
    assert citation.document in DOCUMENTS, f"{key}: unknown document {citation.document}"
    text = clauses(FILES[citation.document].read_text(encoding="utf-8"))
    clause = citation.clause.replace("（", "(").replace("）", ")")
    assert clause in text, f"{key}: {citation.document} has no clause {citation.clause}"
    assert _squeeze(citation.quote) in text[clause], (
        f"{key}: 「{citation.quote}」 is not in {citation.document} {citation.clause}")


def test_the_clause_reader_finds_the_clauses() -> None:
    """The test above can fail: a quote put under the wrong clause, or changed by one character, is not found."""
    yu = clauses(FILES[YU_13].read_text(encoding="utf-8"))
    zheng = clauses(FILES[ZHENG_2].read_text(encoding="utf-8"))
    assert "对乡镇上报的监测对象建议名单进行核准" in yu["三、(三)3"]  # across the page break
    assert "谁核查、谁签字、谁负责" in yu["三、(三)2"] and "谁核查" not in yu["三、(三)3"]
    assert "乡村两级要定期开展走访摸排" in yu["六、(二)"] and "乡村两级要定期开展走访摸排" not in yu["六、(三)"]
    assert "于5月10日前完成" in zheng["二、(二)"] and "6000元" in zheng["一"] and "6000元" not in yu["三、(二)"]
    assert "刚性支出超过上年度收入" not in yu["三、(二)"]  # the misquote without 明显


def test_every_rule_has_a_basis_and_every_error_a_citation() -> None:
    for spec in RULES:
        assert spec.id in BASES, spec.id
        basis = BASES[spec.id]
        if spec.severity == "error":
            assert basis.citations, f"{spec.id} is an error resting on no document"
        if not basis.citations:
            assert basis.setting, f"{spec.id} rests on no document and does not say so"
    for key in BASES:
        assert key.split(":")[0] in {spec.id for spec in RULES}, key
