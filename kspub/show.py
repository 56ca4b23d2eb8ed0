"""`kspub show`: one agreement (or one clause of it) as plain data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.model import Agreement


def resolve(root: Path, agreement_id: str, version: str | None) -> Agreement:
    """The agreement as in the working tree, or a historical version from git."""
    from kspub.workspace import load_corpus, require_clean

    corpus = load_corpus(root, with_sla=False)
    current = next((a for a in corpus.agreements if a.id == agreement_id), None)
    if current is None:
        bad = [d for d in corpus.errors if d.path.endswith(f"/{agreement_id}.md")]
        if bad:
            require_clean(corpus)
        corpus.agreement(agreement_id)  # raises with the list of known IDs
        raise AssertionError("unreachable")
    if version is None or version == current.meta.version:
        require_clean(corpus_of(corpus, current))
        return current
    from kspub.history import find_version

    return find_version(root, agreement_id, version)


def corpus_of(corpus: Any, agreement: Agreement) -> Any:
    from kspub.workspace import Corpus

    return Corpus((agreement,), None, tuple(d for d in corpus.diagnostics if d.path == agreement.path))


def show(root: Path, agreement_id: str, *, version: str | None = None, clause: str | None = None) -> dict[str, Any]:
    agreement = resolve(root, agreement_id, version)
    data = agreement.to_dict()
    if clause is not None:
        node = agreement.node(clause)
        if node is None:
            raise KspubError(
                "KS021",
                f"协议 {agreement_id} 中没有 ID 为 “{clause}” 的条款",
                hint="用 kspub show " + agreement_id + " 查看全部条款 ID",
            )
        keep = {clause}
        for n in agreement.nodes:  # the clause and everything under it
            if n.parent in keep:
                keep.add(n.id)
        data["clauses"] = [c for c in data["clauses"] if c["id"] in keep]
    return data


def format_show(data: dict[str, Any]) -> str:
    lines = [f"{data['title']}（{data['id']}，版本 {data['version']}）"]
    depth: dict[str | None, int] = {None: -1}
    for c in data["clauses"]:
        d = depth.get(c["parent"], -1) + 1
        depth[c["id"]] = d
        body = c["title"] if c["kind"] == "section" else c["text"]
        number = f"{c['number']} " if c["number"] else ""
        tags = f"  [{' '.join(c['tags'])}]" if c["tags"] else ""
        lines.append(f"{'  ' * d}{number}{body}  {{#{c['id']}}}{tags}")
    return "\n".join(lines)
