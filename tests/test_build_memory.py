"""What a build lets go to stay small, and that letting it go changes nothing it writes."""

from __future__ import annotations

import jieba

from kspub.publish.search import load_segmenter, segment, unload_segmenter

TEXTS = ["我们收集您的个人信息用于提供云服务", "金山云有权在提前通知后调整服务费用", "账户注销后数据将被删除"]


def test_the_dictionary_let_go_is_loaded_again_and_segments_the_same() -> None:
    load_segmenter()
    before = [segment(t) for t in TEXTS]
    assert all("\u200b" in s for s in before)  # segmented into words
    unload_segmenter()
    assert jieba.dt.FREQ == {} and not jieba.dt.initialized  # let go …
    assert segment.cache_info().currsize == 0
    assert [segment(t) for t in TEXTS] == before  # … and loaded again when asked, with the same words
    assert jieba.dt.initialized and len(jieba.dt.FREQ) > 100_000
