"""The repository's agreements hold the seed texts verbatim: not a character missing, altered or added.

The seed (a PDF extraction, committed under tests/fixtures/seed/) is cut into its documents by line ranges; each
parsed agreement's printed text, in document order, must equal the seed document's text once whitespace (line
wrapping and the page-break artefacts) and the extraction's Markdown list markers are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kspub.workspace import load_corpus

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed" / "kingsoft-cloud-legal.txt"

# agreement id → (printed title, first line, last line) of the document in the seed (1-based, inclusive)
DOCUMENTS = {
    "cloud-service-agreement": ("金山云云服务使用协议", 34, 273),
    "info-source-security-letter": ("信息源入网安全责任书", 274, 307),
    "privacy-policy": ("金山云隐私政策", 395, 496),
    "ern-sdk-privacy-policy": ("金山云ERN-SDK隐私政策", 497, 578),
    "account-cancellation-agreement": ("金山云账号注销协议", 579, 646),
    "marketplace-sales-agreement": ("金山云云市场商品销售协议", 647, 683),
    "promotion-agreement": ("金山云推广活动协议", 684, 858),
    "real-name-verification-statement": ("金山云实名认证说明", 859, 10_000),
}

_WS = re.compile(r"\s+")
_LIST_MARKER = re.compile(r"^\s*-\s+", re.MULTILINE)


def squash(text: str) -> str:
    return _WS.sub("", text)


def seed_document(agreement_id: str) -> str:
    title, first, last = DOCUMENTS[agreement_id]
    lines = SEED.read_text("utf-8").split("\n")[first - 1 : last]
    # the compilation's heading and the document's own printed title are carried by the front matter's title
    while lines and lines[0].strip() in (title, ""):
        lines.pop(0)
    return squash(_LIST_MARKER.sub("", "\n".join(lines)))


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return load_corpus(ROOT)


def test_every_seed_document_is_imported(corpus) -> None:  # type: ignore[no-untyped-def]
    assert sorted(a.id for a in corpus.agreements) == sorted(DOCUMENTS)


@pytest.mark.parametrize("agreement_id", sorted(DOCUMENTS))
def test_agreement_text_equals_seed(corpus, agreement_id: str) -> None:  # type: ignore[no-untyped-def]
    agreement = corpus.agreement(agreement_id)
    assert agreement.meta.title == DOCUMENTS[agreement_id][0]
    parsed = squash("".join(n.printed for n in agreement.nodes))
    expected = seed_document(agreement_id)
    if parsed != expected:
        at = next((i for i, (a, b) in enumerate(zip(parsed, expected, strict=False)) if a != b), min(len(parsed), len(expected)))
        pytest.fail(
            f"{agreement_id}: text differs from the seed at character {at}:\n"
            f"  parsed: …{parsed[max(0, at - 40) : at + 40]}…\n"
            f"  seed:   …{expected[max(0, at - 40) : at + 40]}…"
        )


@pytest.mark.parametrize("agreement_id", sorted(DOCUMENTS))
def test_every_node_has_text_from_the_seed(corpus, agreement_id: str) -> None:  # type: ignore[no-untyped-def]
    """Each node on its own is a substring of the seed document: no invented or reordered clause."""
    expected = seed_document(agreement_id)
    for node in corpus.agreement(agreement_id).nodes:
        assert squash(node.printed) in expected, f"{agreement_id}#{node.id} is not seed text"
