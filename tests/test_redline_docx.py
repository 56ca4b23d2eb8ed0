"""The Word redline: real tracked changes (w:ins/w:del with author and date) that accept to the new text and
reject to the old, numbers, headings and bold kept; LibreOffice opens it with every change intact."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from kspub.cli import main
from kspub.model import Agreement
from kspub.parse import parse_agreement
from kspub.publish.markup import plain_text
from kspub.redline_docx import render_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
HEAD = '---\nid: demo\ntitle: 示例服务协议\nkind: agreement\nversion: "{v}"\n---\n\n'
OLD = HEAD.format(v="1.0") + (
    "{#general}\n## 一、总则\n\n{#nature}\n1.1 本协议是您与金山云之间的**有效契约**。\n\n"
    "{#gone}\n1.2 这一条将被删除。\n\n{#fees}\n## 二、费用\n\n"
    "{#fee-notice}\n2.1 免费服务转为收费前，金山云将提前10个自然日通知您。\n\n"
    "{#exceptions}\n2.2 以下情形除外：\n\n{#law}\n- (1) 法律法规另有规定的；\n"
)
NEW = HEAD.format(v="2.0") + (
    "{#general}\n## 一、总则\n\n{#nature}\n1.1 本协议是您与金山云之间具有约束力的**有效契约**。\n\n"
    "{#fees}\n## 二、费用\n\n"
    "{#fee-notice}\n2.1 免费服务转为收费前，金山云将提前30个自然日通知您，**并以邮件告知**。\n\n"
    "{#exceptions}\n2.2 以下情形除外：\n\n{#law}\n- (1) 法律法规另有规定的；\n\n{#consent}\n- (2) 您另行同意的。\n"
)
WHEN = date(2026, 3, 2)


def _agreement(text: str) -> Agreement:
    result = parse_agreement(text, "agreements/demo.md")
    assert result.agreement is not None, [d.format() for d in result.diagnostics]
    return result.agreement


def _body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/document.xml")).find("w:body", NS)


def _resolved(body: etree._Element, *, accept: bool) -> list[str]:
    """The paragraphs' text after accepting (or rejecting) every revision, as Word would."""
    out = []
    for p in body.iterfind("w:p", NS):
        mark = p.find("w:pPr/w:rPr/*", NS)
        if mark is not None and mark.tag == f"{{{W}}}{'del' if accept else 'ins'}":
            continue  # the paragraph itself goes
        text = []
        for el in p.iter(f"{{{W}}}t", f"{{{W}}}delText"):
            wrapper = next((a for a in el.iterancestors() if a.tag in (f"{{{W}}}ins", f"{{{W}}}del")), None)
            kept = wrapper is None or wrapper.tag == f"{{{W}}}{'ins' if accept else 'del'}"
            if kept:
                text.append(el.text or "")
        out.append("".join(text))
    return out[2:]  # after the title and the note


def _expected(text: str) -> list[str]:
    return [plain_text(n.printed) for n in _agreement(text).nodes]


def test_accepting_every_change_gives_the_new_text_and_rejecting_the_old() -> None:
    body = _body(render_docx(_agreement(OLD), _agreement(NEW), when=WHEN))
    assert _resolved(body, accept=True) == _expected(NEW)
    assert _resolved(body, accept=False) == _expected(OLD)


def test_every_revision_has_an_author_a_date_and_its_own_id() -> None:
    body = _body(render_docx(_agreement(OLD), _agreement(NEW), author="法务部", when=WHEN))
    marks = body.xpath(".//w:ins | .//w:del", namespaces=NS)
    assert len(marks) >= 6
    assert {m.get(f"{{{W}}}author") for m in marks} == {"法务部"}
    assert {m.get(f"{{{W}}}date") for m in marks} == {"2026-03-02T00:00:00Z"}
    ids = [m.get(f"{{{W}}}id") for m in marks]
    assert len(ids) == len(set(ids))
    # deleted text is w:delText (Word shows w:t inside w:del as corrupt), inserted text is w:t
    assert not body.xpath(".//w:del//w:t", namespaces=NS) and not body.xpath(".//w:ins//w:delText", namespaces=NS)
    deleted = "".join(body.xpath(".//w:del//w:delText/text()", namespaces=NS))
    assert "10" in deleted and "1.2 这一条将被删除。" in deleted


def test_numbers_headings_and_bold_are_kept() -> None:
    body = _body(render_docx(_agreement(OLD), _agreement(NEW), when=WHEN))
    headings = [
        "".join(p.xpath(".//w:t/text()", namespaces=NS))
        for p in body.iterfind("w:p", NS)
        if p.xpath("w:pPr/w:pStyle[@w:val='Heading1']", namespaces=NS)
    ]
    assert headings == ["一、总则", "二、费用"]
    bold = {"".join(r.xpath("w:t/text()", namespaces=NS)) for r in body.xpath(".//w:r[w:rPr/w:b]", namespaces=NS)}
    assert {"有效契约", "并以邮件告知"} <= bold
    inserted_bold = body.xpath(".//w:ins/w:r[w:rPr/w:b]/w:t/text()", namespaces=NS)
    assert inserted_bold == ["并以邮件告知"]
    assert any(t.startswith("2.1 ") for t in body.xpath(".//w:t/text()", namespaces=NS))


def test_the_same_versions_give_the_same_bytes() -> None:
    first = render_docx(_agreement(OLD), _agreement(NEW), when=WHEN)
    import time

    time.sleep(1.1)  # the zip writer's clock would show in the members' dates
    assert render_docx(_agreement(OLD), _agreement(NEW), when=WHEN) == first


def test_identical_versions_give_a_document_without_revisions() -> None:
    body = _body(render_docx(_agreement(NEW), _agreement(NEW), when=WHEN))
    assert not body.xpath(".//w:ins | .//w:del", namespaces=NS)
    assert _resolved(body, accept=True) == _expected(NEW)


def test_diff_writes_the_docx(tmp_path: Path) -> None:
    (tmp_path / "old.md").write_text(OLD, "utf-8")
    (tmp_path / "new.md").write_text(NEW, "utf-8")
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "old.md"), str(tmp_path / "new.md"), "--root",
                                       str(tmp_path), "--format", "docx", "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已写出 Word 修订稿" in result.output
    assert _resolved(_body(out.read_bytes()), accept=True) == _expected(NEW)


@pytest.mark.parametrize("args", [["--format", "docx"], ["--output", "x.docx"]])
def test_docx_needs_an_output_file_and_an_output_file_needs_docx(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "a.md").write_text(OLD, "utf-8")
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "a.md"), str(tmp_path / "a.md"), "--root",
                                       str(tmp_path), *args])  # fmt: skip
    assert result.exit_code == 2 and "KS032" in result.output + result.stderr


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: scripts/ensure-libreoffice installs it")
        pytest.skip("LibreOffice is not installed (scripts/ensure-libreoffice)")
    return found


def test_libreoffice_opens_it_with_every_tracked_change(tmp_path: Path) -> None:
    soffice = _soffice()
    source = tmp_path / "redline.docx"
    source.write_bytes(render_docx(_agreement(OLD), _agreement(NEW), when=WHEN))
    env = {**os.environ, "HOME": str(tmp_path)}  # LibreOffice writes its profile there
    for target in ("odt", "txt:Text"):
        subprocess.run([soffice, "--headless", "--norestore", "--convert-to", target, "--outdir", str(tmp_path),
                        str(source)], env=env, check=True, capture_output=True, timeout=180)  # fmt: skip
    text = (tmp_path / "redline.txt").read_text("utf-8-sig")
    # with changes shown, each paragraph reads its kept, deleted and inserted text in order, the deleted one too
    shown = ["".join(p.xpath(".//w:t/text() | .//w:delText/text()", namespaces=NS))
             for p in _body(source.read_bytes()).iterfind("w:p", NS)]  # fmt: skip
    assert text.splitlines() == shown
    assert "2.1 免费服务转为收费前，金山云将提前1030个自然日通知您，并以邮件告知。" in shown
    with zipfile.ZipFile(tmp_path / "redline.odt") as z:
        content = z.read("content.xml").decode("utf-8")
    regions = re.findall(r"<text:changed-region.*?</text:changed-region>", content, re.S)
    kinds = [re.search(r"<text:(insertion|deletion)>", r).group(1) for r in regions]  # type: ignore[union-attr]
    assert kinds.count("deletion") >= 2 and kinds.count("insertion") >= 3
    assert set(re.findall(r"<dc:creator>(.*?)</dc:creator>", content)) == {"kspub"}
    assert all(d.startswith("2026-03-02") for d in re.findall(r"<dc:date>(.*?)</dc:date>", content))
