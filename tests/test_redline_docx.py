"""The Word redline: real tracked changes (w:ins/w:del with author and date) that accept to the new text and
reject to the old, numbers, headings and bold kept; LibreOffice opens it with every change intact."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from kspub.cli import main
from kspub.model import Agreement, NodeKind
from kspub.parse import parse_agreement
from kspub.publish.markup import plain_text, styled_text
from kspub.redline import DELETE, EQUAL, INSERT, Segment, redline
from kspub.redline_docx import DEFAULT_AUTHOR, EAST_ASIAN_FONT, _merged, _package, _pieces, render_docx
from tests.test_diff_golden import CASES, CSA

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


# ----------------------------------------------------------------------------------------------------------
# The package is prepared once per process and the body written as text: the document must stay the one
# python-docx built paragraph by paragraph, which is kept here as the reference.


def _pieces_per_character(old_source: str, new_source: str) -> list[tuple[str, str, bool]]:
    """The runs of a redline as they were first cut: one character at a time, each with its own side's bold."""
    old_text, old_bold = styled_text(old_source)
    new_text, new_bold = styled_text(new_source)
    out: list[tuple[str, str, bool]] = []
    i = j = 0
    for seg in redline(old_text, new_text):
        for ch in seg.text:
            if seg.op == INSERT:
                bold = new_bold[j]
                j += 1
            elif seg.op == DELETE:
                bold = old_bold[i]
                i += 1
            else:
                bold = new_bold[j]
                i += 1
                j += 1
            if out and out[-1][0] == seg.op and out[-1][2] == bold:
                out[-1] = (seg.op, out[-1][1] + ch, bold)
            else:
                out.append((seg.op, ch, bold))
    return out


def _python_docx_build(old: Agreement, new: Agreement, *, author: str = DEFAULT_AUTHOR, when: date) -> bytes:
    """The Word redline as python-docx built it: a default document, headings and paragraphs added through its
    API, the revision elements appended to them, the package saved and its members dated ``when``."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.shared import Pt

    stamp = datetime.combine(when, datetime.min.time(), tzinfo=UTC)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = Document()
    doc.core_properties.author = author
    doc.core_properties.title = f"{new.meta.title}（{old.meta.version} → {new.meta.version}）修订稿"
    doc.core_properties.created = doc.core_properties.modified = stamp.replace(tzinfo=None)
    doc.core_properties.last_modified_by = author
    doc.core_properties.revision = 1
    for name in ("Normal", "Title", *(f"Heading {k}" for k in range(1, 10))):
        rpr = doc.styles[name].element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    revision = iter(range(1, 1 << 30))

    def mark(tag: str) -> BaseOxmlElement:
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(next(revision)))
        element.set(qn("w:author"), author)
        element.set(qn("w:date"), iso)
        return element

    def run(text: str, *, bold: bool, deleted: bool) -> BaseOxmlElement:
        r = OxmlElement("w:r")
        if bold:
            rpr = OxmlElement("w:rPr")
            rpr.append(OxmlElement("w:b"))
            rpr.append(OxmlElement("w:bCs"))
            r.append(rpr)
        for k, line in enumerate(text.split("\n")):
            if k:
                r.append(OxmlElement("w:br"))
            t = OxmlElement("w:delText" if deleted else "w:t")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = line
            r.append(t)
        return r

    doc.add_heading(f"{new.meta.title}", level=0)
    note = doc.add_paragraph()
    note.add_run(f"版本 {old.meta.version} → {new.meta.version} 的修订稿。每一处修改都是一条修订（跟踪更改），"
                 "可在“审阅”中逐条接受或拒绝；加粗、编号和章节标题与原文一致。")  # fmt: skip
    for node, old_source, new_source in _merged(old, new):
        if node.kind is NodeKind.SECTION:
            paragraph = doc.add_heading(level=min(node.depth + 1, 9))
        else:
            paragraph = doc.add_paragraph()
            if node.kind is NodeKind.ITEM:
                paragraph.paragraph_format.left_indent = Pt(21 * max(node.depth, 1))
        p = paragraph._p
        whole = "ins" if old_source is None else "del" if new_source is None else None
        if whole is not None:
            mark_rpr = OxmlElement("w:rPr")
            mark_rpr.append(mark(f"w:{whole}"))
            p.get_or_add_pPr().append(mark_rpr)
        for op, text, bold in _pieces_per_character(old_source or "", new_source or ""):
            if op == EQUAL:
                p.append(run(text, bold=bold, deleted=False))
            else:
                wrapper = mark("w:del" if op == DELETE else "w:ins")
                wrapper.append(run(text, bold=bold, deleted=op == DELETE))
                p.append(wrapper)
    saved = io.BytesIO()
    doc.save(saved)
    stamp_zip = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp_zip)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()


def _paragraphs(data: bytes) -> list[tuple[str, list[tuple[str, str | None, str | None, str | None, bool, str]]]]:
    """Each paragraph of the body: its properties (canonical XML: style, indent, a tracked paragraph mark), and
    its runs as (revision, its id, author, date, bold, text), line breaks as newlines, deleted text included."""
    out = []
    for p in _body(data).iterfind("w:p", NS):
        properties = p.find("w:pPr", NS)
        runs = []
        for r in p.iter(f"{{{W}}}r"):
            wrapper = r.getparent()
            revision = "" if wrapper is p else etree.QName(wrapper).localname
            text = "".join("\n" if etree.QName(el).localname == "br" else el.text or "" for el in r if el.tag != f"{{{W}}}rPr")
            runs.append((revision, wrapper.get(f"{{{W}}}id"), wrapper.get(f"{{{W}}}author"),
                         wrapper.get(f"{{{W}}}date"), r.find("w:rPr/w:b", NS) is not None, text))  # fmt: skip
        out.append((etree.tostring(properties, method="c14n").decode() if properties is not None else "", runs))
    return out


CSA_TEXT = CSA.read_text("utf-8")
MARKUP_CHARACTERS = NEW.replace("并以邮件告知", "并以邮件 & <告知> \"通知\" 'x'\t制表").replace(
    "title: 示例服务协议", 'title: "示例 & “服务” 协议"'
)
#: (path, old text, new text): the demo, and the golden amendments of the cloud service agreement
PAIRS: dict[str, tuple[str, str, str]] = {
    "demo": ("agreements/demo.md", OLD, NEW),
    "demo, backwards": ("agreements/demo.md", NEW, OLD),
    "demo, unchanged": ("agreements/demo.md", NEW, NEW),
    "markup characters": ("agreements/demo.md", OLD, MARKUP_CHARACTERS),
    **{f"cloud service agreement, {case}": ("agreements/cloud-service-agreement.md", CSA_TEXT, make(CSA_TEXT))
       for case, make in sorted(CASES.items())},  # fmt: skip
}


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_the_document_is_the_one_python_docx_built(case: str) -> None:
    path, old_text, new_text = PAIRS[case]
    old, new = (parse_agreement(t, path) for t in (old_text, new_text))
    assert old.ok and new.ok and old.agreement is not None and new.agreement is not None
    for author, when in ((DEFAULT_AUTHOR, WHEN), ('法务部 & "律师" <审阅>\t\r\n', date(1979, 12, 31))):
        fast = render_docx(old.agreement, new.agreement, author=author, when=when)
        built = _python_docx_build(old.agreement, new.agreement, author=author, when=when)
        assert _paragraphs(fast) == _paragraphs(built)
        assert sum(len(runs) for _, runs in _paragraphs(fast)) > len(new.agreement.nodes)
        with zipfile.ZipFile(io.BytesIO(fast)) as a, zipfile.ZipFile(io.BytesIO(built)) as b:
            assert a.namelist() == b.namelist()
            assert [(i.date_time, i.compress_type, i.external_attr) for i in a.infolist()] == [
                (i.date_time, i.compress_type, i.external_attr) for i in b.infolist()
            ]
            for name in a.namelist():  # the body canonically, every other part (core properties too) byte for byte
                if name == "word/document.xml":
                    assert etree.tostring(etree.fromstring(a.read(name)), method="c14n") == etree.tostring(
                        etree.fromstring(b.read(name)), method="c14n"
                    )
                else:
                    assert a.read(name) == b.read(name), name


@settings(max_examples=300, deadline=None)
@example("a**的b**。", "a**的**b。")
@example("**ab**\n的", "a**b\n的**")
@given(st.text(alphabet="ab的。 \n*&<", max_size=30), st.text(alphabet="ab的。 \n*&<", max_size=30))
def test_runs_are_cut_as_they_were_one_character_at_a_time(old: str, new: str) -> None:
    assert [(p.op, p.text, p.bold) for p in _pieces(old, new)] == _pieces_per_character(old, new)


def test_runs_join_across_segments_of_one_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The redline may cut a stretch of one kind into several segments; the runs are the same."""
    import kspub.redline_docx

    def one_character_each(old: str, new: str) -> tuple[Segment, ...]:
        return tuple(Segment(seg.op, ch) for seg in redline(old, new) for ch in seg.text)

    cases = [("a**的b**。", "a**的**b。"), ("1.1 本协议是**有效契约**。", "1.1 本协议**是有效**契约。"), ("", "新增**条款**")]
    expected = [_pieces_per_character(old, new) for old, new in cases]
    monkeypatch.setattr(kspub.redline_docx, "redline", one_character_each)
    assert [[(p.op, p.text, p.bold) for p in _pieces(old, new)] for old, new in cases] == expected
    assert all(len(runs) < len(old + new) // 2 for runs, (old, new) in zip(expected, cases, strict=True))


def test_python_docx_reads_it_back() -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document(io.BytesIO(render_docx(_agreement(OLD), _agreement(NEW), author="法务部", when=WHEN)))
    paragraphs = doc.paragraphs
    assert [p.style.name for p in paragraphs if p.style is not None] == [
        "Title", "Normal", "Heading 1", "Normal", "Normal", "Heading 1", "Normal", "Normal", "Normal", "Normal"
    ]  # fmt: skip
    # python-docx reads the runs outside revisions: the text both versions share
    assert [p.text for p in paragraphs] == [
        "示例服务协议",
        "版本 1.0 → 2.0 的修订稿。每一处修改都是一条修订（跟踪更改），可在“审阅”中逐条接受或拒绝；加粗、编号和章节标题与原文一致。",
        "一、总则", "1.1 本协议是您与金山云之间的有效契约。", "", "二、费用", "2.1 免费服务转为收费前，金山云将提前个自然日通知您。",
        "2.2 以下情形除外：", "(1) 法律法规另有规定的；", "",
    ]  # fmt: skip
    assert [r.text for r in paragraphs[3].runs if r.bold] == ["有效契约"]
    assert [p.paragraph_format.left_indent for p in paragraphs[-2:]] == [Pt(42), Pt(42)]
    assert all(p.paragraph_format.left_indent is None for p in paragraphs[:-2])
    core = doc.core_properties
    assert (core.title, core.author, core.last_modified_by, core.revision) == ("示例服务协议（1.0 → 2.0）修订稿", "法务部",
                                                                                "法务部", 1)  # fmt: skip
    assert core.created == core.modified == datetime(2026, 3, 2, tzinfo=UTC)
    for name in ("Normal", "Title", *(f"Heading {k}" for k in range(1, 10))):
        fonts = doc.styles[name].element.rPr.rFonts  # type: ignore[union-attr]
        assert fonts.get(f"{{{W}}}eastAsia") == EAST_ASIAN_FONT, name


def test_the_bytes_change_with_the_inputs_and_nothing_else() -> None:
    old, new = _agreement(OLD), _agreement(NEW)
    first = render_docx(old, new, when=WHEN)
    assert render_docx(_agreement(OLD), _agreement(NEW), when=WHEN) == first  # equal inputs, other objects
    _package.cache_clear()  # the package prepared again gives the same parts
    assert render_docx(old, new, when=WHEN) == first
    # another process, another hash seed
    script = ("import sys; from datetime import date; from tests.test_redline_docx import OLD, NEW, _agreement; "
              "from kspub.redline_docx import render_docx; "
              "sys.stdout.buffer.write(render_docx(_agreement(OLD), _agreement(NEW), when=date(2026, 3, 2)))")  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    assert subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True).stdout == first
    variants = [
        render_docx(new, new, when=WHEN),
        render_docx(old, old, when=WHEN),
        render_docx(new, old, when=WHEN),
        render_docx(old, new, author="法务部", when=WHEN),
        render_docx(old, new, when=date(2026, 3, 3)),
        render_docx(old, new, when=date(2027, 3, 2)),
    ]
    assert len({first, *variants}) == 1 + len(variants)


def test_the_zip_is_the_one_zipfile_writes() -> None:
    for when in (WHEN, date(1979, 12, 31)):  # before 1980, which zip dates cannot express: 1980, same month and day
        data = render_docx(_agreement(OLD), _agreement(NEW), when=when)
        stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            assert source.testzip() is None
            for info in source.infolist():
                assert (info.date_time, info.compress_type, info.external_attr) == (stamp, zipfile.ZIP_DEFLATED,
                                                                                  0o644 << 16)  # fmt: skip
                member = zipfile.ZipInfo(info.filename, date_time=stamp)
                member.compress_type = zipfile.ZIP_DEFLATED
                member.external_attr = 0o644 << 16
                target.writestr(member, source.read(info))
        assert out.getvalue() == data


@pytest.mark.parametrize("author", ["法务\x00部", "法务\x0b部", "法务\ufffe部"])
def test_text_xml_cannot_carry_is_refused(author: str) -> None:
    with pytest.raises(ValueError):
        _python_docx_build(_agreement(OLD), _agreement(NEW), author=author, when=WHEN)
    with pytest.raises(ValueError, match="XML compatible"):
        render_docx(_agreement(OLD), _agreement(NEW), author=author, when=WHEN)
