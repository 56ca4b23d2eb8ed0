"""Diff speed: the longest real agreement with one clause edited, every clause edited, and a 1 MB agreement.

The floor is diff-match-patch run once over the whole printed text of both versions (character diff plus
semantic cleanup): what a plain text redline of the document costs, without clause alignment. The Word redline
of the first pair is measured against python-docx opening its default document and saving it empty.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

from diff_match_patch import diff_match_patch

from benchmarks.common import Row, median_time
from kspub.diff import diff_agreements
from kspub.model import Agreement, Node, NodeKind
from kspub.workspace import load_corpus

TITLE = "Diff (in process)"
ROOT = Path(__file__).resolve().parent.parent


def _floor(old: Agreement, new: Agreement) -> float:
    a = "\n".join(n.printed for n in old.nodes)
    b = "\n".join(n.printed for n in new.nodes)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0

    def go() -> None:
        diffs = dmp.diff_main(a, b)
        dmp.diff_cleanupSemantic(diffs)

    return median_time(go)


def _docx_floor() -> float:
    from docx import Document

    def go() -> None:
        Document().save(io.BytesIO())

    return median_time(go)


def _edit(node: Node, text: str) -> Node:
    return replace(node, text=text, printed=(f"{node.number} " if node.number else "") + text)


def synthetic(size_bytes: int) -> Agreement:
    base = next(a for a in load_corpus(ROOT).agreements if a.id == "cloud-service-agreement")
    clauses = [n for n in base.nodes if n.kind is NodeKind.CLAUSE]
    nodes: list[Node] = []
    total = 0
    i = 0
    while total < size_bytes:
        src = clauses[i % len(clauses)]
        section = f"s{i // 20}"
        if i % 20 == 0:
            nodes.append(Node(section, NodeKind.SECTION, f"{i // 20 + 1}.", "章节", "", f"{i // 20 + 1}. 章节", None, 1, 1))
        number = f"{i // 20 + 1}.{i % 20 + 1}"
        nodes.append(Node(f"c{i}", NodeKind.CLAUSE, number, "", src.text, f"{number} {src.text}", section, 1, 1, 1, src.tags))
        total += len(src.printed.encode("utf-8"))
        i += 1
    return replace(base, nodes=tuple(nodes))


def run() -> list[Row]:
    corpus = load_corpus(ROOT)
    longest = max(corpus.agreements, key=lambda a: sum(len(n.printed) for n in a.nodes))
    target = next(n for n in longest.nodes if "10个自然日" in n.text) if any("10个自然日" in n.text for n in longest.nodes) \
        else next(n for n in longest.nodes if n.kind is NodeKind.CLAUSE)
    one = replace(longest, nodes=tuple(_edit(n, n.text.replace("10个自然日", "5个自然日")) if n is target else n
                                       for n in longest.nodes))
    every = replace(longest, nodes=tuple(_edit(n, n.text + "（修订）") if n.text else n for n in longest.nodes))
    big = synthetic(1_000_000)
    big_edit = replace(big, nodes=tuple(_edit(n, n.text.replace("金山云", "本公司", 1)) if k % 10 == 0 and n.text else n
                                        for k, n in enumerate(big.nodes)))
    rows = []
    size = sum(len(n.printed.encode()) for n in longest.nodes)
    t = median_time(lambda: diff_agreements(longest, one))
    rows.append(Row(f"one clause, {longest.id} ({size // 1024} KB)", t, "dmp over whole text", _floor(longest, one),
                    note=f"absolute target: well under 100 ms (measured {t * 1000:.1f} ms)"))
    from kspub.redline_docx import render_docx

    render_docx(longest, one, when=date(2026, 3, 2))  # the package is prepared once per process, as in a build
    t = median_time(lambda: render_docx(longest, one, when=date(2026, 3, 2)), repeat=20)
    rows.append(Row(f"Word redline, one clause, {longest.id}", t, "python-docx: empty document saved", _docx_floor(),
                    note=f"per redline page of the site (measured {t * 1000:.1f} ms)"))
    t = median_time(lambda: diff_agreements(longest, every), repeat=3)
    rows.append(Row(f"every clause changed ({len(longest.nodes)} nodes)", t, "dmp over whole text",
                    _floor(longest, every)))
    t = median_time(lambda: diff_agreements(big, big_edit), repeat=1)
    rows.append(Row(f"1 MB synthetic ({len(big.nodes)} nodes, 10% edited)", t, "dmp over whole text",
                    _floor(big, big_edit), note="absolute target: within seconds"))
    return rows
