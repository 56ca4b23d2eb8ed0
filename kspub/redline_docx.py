"""A redline as a Word document with real tracked changes, for readers who review in Word.

The newer version's whole text, in document order, with every change between the two versions as a revision
Word and LibreOffice let the reader accept or reject one by one: deleted text in ``w:del`` runs, inserted text in
``w:ins`` runs, each with an author and a date; a clause added or removed as a whole is an inserted or deleted
paragraph (its paragraph mark is tracked too, so accepting a deletion removes the paragraph). Numbers, headings
and bold are kept: the printed text carries the numbers, sections become Word headings, ``**bold**`` becomes
bold runs. python-docx builds the document; it does not write revisions, so those runs are OOXML written here
(ECMA-376 Part 1, §17.13.5). Decision record 0603.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from kspub.model import Agreement, Node, NodeKind
from kspub.publish.markup import styled_text
from kspub.redline import DELETE, EQUAL, INSERT, redline

#: The author of the revisions unless the caller names one.
DEFAULT_AUTHOR = "kspub"
#: A Chinese body font Word and LibreOffice both map to an installed one.
EAST_ASIAN_FONT = "宋体"


@dataclass(frozen=True, slots=True)
class _Piece:
    op: str
    text: str
    bold: bool


def _pieces(old_source: str, new_source: str) -> list[_Piece]:
    """The redline of two texts with inline markup, as runs that are equal, deleted or inserted, and bold or
    not: the diff is taken on the characters a reader sees, the bold of each from its own side."""
    old_text, old_bold = styled_text(old_source)
    new_text, new_bold = styled_text(new_source) if new_source != old_source else (old_text, old_bold)
    out: list[_Piece] = []
    i = j = 0
    for seg in redline(old_text, new_text):
        n = len(seg.text)
        flags, at = (old_bold, i) if seg.op == DELETE else (new_bold, j)  # equal: shown as the new version has it
        if seg.op != INSERT:
            i += n
        if seg.op != DELETE:
            j += n
        start = 0
        while start < n:  # one run per stretch of the segment that is bold or not throughout
            bold = flags[at + start]
            try:
                end = flags.index(not bold, at + start, at + n) - at
            except ValueError:  # the same to the segment's end
                end = n
            if out and out[-1].op == seg.op and out[-1].bold == bold:
                out[-1] = _Piece(seg.op, out[-1].text + seg.text[start:end], bold)
            else:
                out.append(_Piece(seg.op, seg.text[start:end], bold))
            start = end
    return out


def _merged(old: Agreement, new: Agreement) -> Iterator[tuple[Node, str | None, str | None]]:
    """Every node to show, in the new version's order: (node, old text, new text). A node of the new version
    is compared with the old node of its ID, or the ones it ``replaces``; an old node that is gone appears,
    deleted, after the node that preceded it in the old version."""
    old_by_id = {n.id: n for n in old.nodes}
    new_ids = {n.id for n in new.nodes}
    claimed: set[str] = set()
    counterpart: dict[str, str] = {}
    for n in new.nodes:
        sources = [n.id] if n.id in old_by_id else [r for r in n.replaces if r in old_by_id and r not in new_ids]
        sources = [s for s in sources if s not in claimed]
        if sources:
            claimed.update(sources)
            counterpart[n.id] = "\n".join(old_by_id[s].printed for s in sources)
    gone_after: dict[str | None, list[Node]] = {}
    anchor: str | None = None
    for o in old.nodes:
        if o.id in new_ids:
            anchor = o.id
        elif o.id not in claimed:
            gone_after.setdefault(anchor, []).append(o)
    for o in gone_after.get(None, []):
        yield o, o.printed, None
    for n in new.nodes:
        yield n, counterpart.get(n.id), n.printed
        for o in gone_after.get(n.id, []):
            yield o, o.printed, None


def render_docx(old: Agreement, new: Agreement, *, author: str = DEFAULT_AUTHOR, when: date) -> bytes:
    """The .docx redline from ``old`` to ``new``; revisions carry ``author`` and the date ``when``."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.shared import Pt

    stamp = datetime.combine(when, time(), tzinfo=UTC)
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
            # the paragraph mark itself is inserted or deleted: accepting removes or keeps the whole paragraph
            mark_rpr = OxmlElement("w:rPr")  # the last child python-docx writes in w:pPr goes before it
            mark_rpr.append(mark(f"w:{whole}"))
            p.get_or_add_pPr().append(mark_rpr)
        for piece in _pieces(old_source or "", new_source or ""):
            if piece.op == EQUAL:
                p.append(run(piece.text, bold=piece.bold, deleted=False))
            else:
                wrapper = mark("w:del" if piece.op == DELETE else "w:ins")
                wrapper.append(run(piece.text, bold=piece.bold, deleted=piece.op == DELETE))
                p.append(wrapper)
    out = io.BytesIO()
    doc.save(out)
    return _reproducible(out.getvalue(), when)


def _reproducible(docx: bytes, when: date) -> bytes:
    """The package with every member dated ``when`` (the zip writer stamps the current time): the same two
    versions give the same bytes, as every other file of the site does."""
    import zipfile

    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()
