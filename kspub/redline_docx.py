"""A redline as a Word document with real tracked changes, for readers who review in Word.

The newer version's whole text, in document order, with every change between the two versions as a revision
Word and LibreOffice let the reader accept or reject one by one: deleted text in ``w:del`` runs, inserted text in
``w:ins`` runs, each with an author and a date; a clause added or removed as a whole is an inserted or deleted
paragraph (its paragraph mark is tracked too, so accepting a deletion removes the paragraph). Numbers, headings
and bold are kept: the printed text carries the numbers, sections become Word headings, ``**bold**`` becomes
bold runs. Decision record 0603.

python-docx builds the package once per process: its default document with the East Asian font set on the
styles, saved, gives every part but the body and the core properties, and the style IDs of the headings. Each
redline then writes ``word/document.xml`` (the paragraphs, with the revisions python-docx has no API for:
ECMA-376 Part 1, §17.13.5) and ``docProps/core.xml`` as strings, and the zip around them with the other parts
compressed once.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

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


# --- the package -------------------------------------------------------------------------------------------

_DOCUMENT = "word/document.xml"
_CORE = "docProps/core.xml"
#: Placeholders put into the core properties when the package is prepared, filled in by every redline.
_SLOT = re.compile(r"kspub-slot-(title|author|date)")
_SLOT_DATE = datetime(1999, 12, 31, 23, 59, 58)  # naive, as python-docx takes it (and writes it as UTC)
#: Characters XML 1.0 does not allow (lxml refuses them the same way); lone surrogates fail at encoding.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class _Member:
    """A zip member compressed once: its name, CRC-32, size, and deflated bytes."""

    name: bytes
    crc: int
    size: int
    data: bytes


@dataclass(frozen=True, slots=True)
class _Package:
    members: tuple[_Member | str, ...]
    """Every member in python-docx's order: compressed already, or the name of a part written per redline."""
    document_head: str
    """``word/document.xml`` up to and including ``<w:body>``."""
    document_tail: str
    """The template's ``w:sectPr`` and the closing tags."""
    core: tuple[str, ...]
    """``docProps/core.xml`` as text and slot names, alternately (see :data:`_SLOT`)."""
    title_style: str
    heading_styles: tuple[str, ...]
    """The style IDs of Heading 1 to Heading 9, by level - 1."""


def _deflate(data: bytes) -> bytes:
    """``data`` compressed as zipfile does for ZIP_DEFLATED (default level, raw stream)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def _package() -> _Package:
    """python-docx's default document, with the East Asian font on the body, title and heading styles, taken
    apart once per process."""
    import io
    import zipfile

    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for name in ("Normal", "Title", *(f"Heading {k}" for k in range(1, 10))):
        rpr = doc.styles[name].element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    core = doc.core_properties
    core.title = "kspub-slot-title"
    core.author = core.last_modified_by = "kspub-slot-author"
    core.created = core.modified = _SLOT_DATE
    core.revision = 1
    # add_heading and add_paragraph set a style by name; the document carries its ID
    title_style = doc.styles["Title"].style_id
    heading_styles = tuple(doc.styles[f"Heading {k}"].style_id for k in range(1, 10))
    saved = io.BytesIO()
    doc.save(saved)
    members: list[_Member | str] = []
    with zipfile.ZipFile(saved) as z:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == _DOCUMENT:
                document = data.decode("utf-8")
            elif info.filename == _CORE:
                core_xml = data.decode("utf-8").replace(_SLOT_DATE.strftime("%Y-%m-%dT%H:%M:%SZ"), "kspub-slot-date")
            else:
                members.append(_Member(info.filename.encode("ascii"), zlib.crc32(data), len(data), _deflate(data)))
                continue
            members.append(info.filename)
    head, body = document.split("<w:body>")
    if not body.startswith("<w:sectPr"):
        raise RuntimeError("python-docx's default document has content in its body")
    core_parts = tuple(_SLOT.split(core_xml))
    if sorted(core_parts[1::2]) != ["author", "author", "date", "date", "title"]:
        raise RuntimeError("python-docx wrote the core properties in an unexpected form")
    return _Package(tuple(members), head + "<w:body>", body, core_parts, title_style, heading_styles)


def _text(value: str) -> str:
    """Character data, escaped as lxml writes it."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(value: str) -> str:
    """An attribute value between double quotes, escaped as lxml writes it."""
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _plain_run(text: str) -> str:
    """A run of ``text`` as python-docx's ``add_run`` writes it: tabs as ``w:tab``, line ends as ``w:br``, the
    text in ``w:t``, with ``xml:space`` when it starts or ends with white space."""
    out = ["<w:r>"]
    for chunk in re.split(r"([\t\r\n])", text):
        if chunk == "\t":
            out.append("<w:tab/>")
        elif chunk in ("\r", "\n"):
            out.append("<w:br/>")
        elif chunk:
            space = ' xml:space="preserve"' if len(chunk.strip()) < len(chunk) else ""
            out.append(f"<w:t{space}>{_text(chunk)}</w:t>")
    out.append("</w:r>")
    return "".join(out)


_BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"
_LINE_BREAK = {
    "w:t": '</w:t><w:br/><w:t xml:space="preserve">',
    "w:delText": '</w:delText><w:br/><w:delText xml:space="preserve">',
}


def _document(old: Agreement, new: Agreement, package: _Package, mark: str) -> str:
    """``word/document.xml``; ``mark`` is the author and date attributes every revision carries."""
    parts = [
        package.document_head,
        f'<w:p><w:pPr><w:pStyle w:val="{_attribute(package.title_style)}"/></w:pPr>',
        _plain_run(new.meta.title),
        "</w:p><w:p>",
        _plain_run(f"版本 {old.meta.version} → {new.meta.version} 的修订稿。每一处修改都是一条修订（跟踪更改），"
                   "可在“审阅”中逐条接受或拒绝；加粗、编号和章节标题与原文一致。"),  # fmt: skip
        "</w:p>",
    ]
    revision = 0
    for node, old_source, new_source in _merged(old, new):
        properties = ""
        if node.kind is NodeKind.SECTION:
            style = package.heading_styles[min(node.depth + 1, 9) - 1]
            properties = f'<w:pStyle w:val="{_attribute(style)}"/>'
        elif node.kind is NodeKind.ITEM:
            properties = f'<w:ind w:left="{420 * max(node.depth, 1)}"/>'  # 21 pt per level, in twips
        whole = "ins" if old_source is None else "del" if new_source is None else None
        if whole is not None:
            # the paragraph mark itself is inserted or deleted: accepting removes or keeps the whole paragraph
            revision += 1
            properties += f'<w:rPr><w:{whole} w:id="{revision}"{mark}/></w:rPr>'
        parts.append(f"<w:p><w:pPr>{properties}</w:pPr>" if properties else "<w:p>")
        for piece in _pieces(old_source or "", new_source or ""):
            tag = "w:delText" if piece.op == DELETE else "w:t"
            run = (
                f"<w:r>{_BOLD if piece.bold else ''}<{tag} xml:space=\"preserve\">"
                f"{_text(piece.text).replace(chr(10), _LINE_BREAK[tag])}</{tag}></w:r>"
            )
            if piece.op == EQUAL:
                parts.append(run)
            else:
                revision += 1
                wrapper = "w:del" if piece.op == DELETE else "w:ins"
                parts.append(f'<{wrapper} w:id="{revision}"{mark}>{run}</{wrapper}>')
        parts.append("</w:p>")
    parts.append(package.document_tail)
    return "".join(parts)


def _zip(members: list[_Member], when: date) -> bytes:
    """The zip of ``members`` in order, each dated ``when`` at midnight and readable by its owner and everyone
    (rw-r--r--): the bytes zipfile writes for them, without compressing the fixed parts again."""
    dos_date = (max(when.year, 1980) - 1980) << 9 | when.month << 5 | when.day
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        # local header: needs version 2.0, no flags, deflated, 00:00 on that date, CRC, sizes, name, no extra field
        header = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, dos_date, m.crc, len(m.data), m.size,
                             len(m.name), 0)  # fmt: skip
        local += (header, m.name, m.data)
        # central directory entry: made by version 2.0 on Unix, the same fields, no comment, disk 0, rw-r--r--
        central += (
            struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 8, 0, dos_date, m.crc, len(m.data),
                        m.size, len(m.name), 0, 0, 0, 0, 0o644 << 16, offset),  # fmt: skip
            m.name,
        )
        offset += len(header) + len(m.name) + len(m.data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(local) + directory + end


def _part(name: str, text: str) -> _Member:
    """A part written per redline, as a zip member."""
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    data = text.encode("utf-8")
    return _Member(name.encode("ascii"), zlib.crc32(data), len(data), _deflate(data))


def render_docx(old: Agreement, new: Agreement, *, author: str = DEFAULT_AUTHOR, when: date) -> bytes:
    """The .docx redline from ``old`` to ``new``; revisions carry ``author`` and the date ``when``. The same
    arguments give the same bytes: the zip members are dated ``when`` too (the zip writer would stamp the
    current time), as every other file of the site is reproducible."""
    package = _package()
    iso = f"{when:%Y-%m-%d}T00:00:00Z"
    slots = {"title": _text(f"{new.meta.title}（{old.meta.version} → {new.meta.version}）修订稿"),
             "author": _text(author), "date": iso}  # fmt: skip
    written = {
        _DOCUMENT: _part(_DOCUMENT, _document(old, new, package, f' w:author="{_attribute(author)}" w:date="{iso}"')),
        _CORE: _part(_CORE, "".join(slots[p] if k % 2 else p for k, p in enumerate(package.core))),
    }
    return _zip([written[m] if isinstance(m, str) else m for m in package.members], when)
