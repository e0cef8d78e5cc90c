"""Prompt similarity without the database: normalisation, families, rarity weights, output bounds, redaction."""

from __future__ import annotations

import hashlib
import random
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkage.errors import LinkageError
from linkage.scenarios import languages
from linkage.scenarios import prompts as synth_prompts
from linkage.scenarios.grammar import cot_family
from linkage.scenarios.languages import curriculum
from linkage.settings import Settings
from linkage.similarity import Analysis, analyse
from linkage.similarity.families import match_known
from linkage.similarity.links import account_links, family_weight
from linkage.similarity.minhash import signatures
from linkage.similarity.normalise import fold_case, normalise, normalise_text, redact, to_arrow
from linkage.similarity.segments import segments

TEMPLATE = (
    "Think step by step and show all of your reasoning before you answer. You are an expert tutor in organic "
    "chemistry and thermodynamics for university students. Question: {q} Finally, state the answer clearly on "
    "the last line and double check every step of your work."
)
FORMAT = " Answer as JSON with keys steps and answer."
PARAPHRASE = (
    "Let's think step by step and show all of your reasoning before you answer. You are an expert teacher in organic "
    "chemistry and thermodynamics for university students. Question: {q} Finally, give the answer clearly on "
    "the last line and double check every step of your work."
)
WORDS = [
    "apple",
    "river",
    "mountain",
    "quantum",
    "violet",
    "engine",
    "harbor",
    "silver",
    "falcon",
    "garden",
    "winter",
    "copper",
    "lantern",
    "meadow",
    "rocket",
    "canyon",
    "velvet",
    "thunder",
    "pepper",
    "island",
    "marble",
    "shadow",
    "crystal",
    "forest",
    "ember",
    "glacier",
    "orbit",
    "prairie",
    "saddle",
    "tundra",
    "walnut",
    "yonder",
    "zephyr",
    "basalt",
    "cobalt",
    "delta",
    "fjord",
    "geyser",
    "hollow",
    "ivory",
    "jasper",
    "kelp",
    "lagoon",
    "mosaic",
    "nectar",
    "onyx",
]


# One template in Chinese: a variant with four words changed, and one with its first two sentences swapped.
TEMPLATE_ZH = (
    "请一步一步地思考，并在回答之前展示你全部的推理过程。你是一位有机化学和热力学方面的专家导师，为大学生讲解。"
    "问题：{q}最后，请在最后一行清楚地写出答案，并仔细检查你的每一个步骤。"
)
PARAPHRASE_ZH = (
    "请一步一步地思考，并在回答之前展示你全部的推理过程。你是一位有机化学与热力学方面的专家老师，为大学生讲解。"
    "问题：{q}最后，请在最后一行清晰地给出答案，并仔细检查你的每一个步骤。"
)
REORDERED_ZH = (
    "你是一位有机化学和热力学方面的专家导师，为大学生讲解。请一步一步地思考，并在回答之前展示你全部的推理过程。"
    "问题：{q}最后，请在最后一行清楚地写出答案，并仔细检查你的每一个步骤。"
)
WORDS_ZH = (  # slot fillers: two or three characters each
    "苹果 河流 山脉 量子 紫色 引擎 港口 白银 猎鹰 花园 冬天 铜矿 灯笼 草地 火箭 峡谷 丝绸 雷电 胡椒 岛屿 "
    "大理石 影子 水晶 森林 冰川 轨道 草原 核桃 钴蓝 三角洲 峡湾 间歇泉 象牙 潟湖 马赛克 花蜜"
)
UNRELATED_ZH = [
    "请帮我写一封给房东的邮件，说明厨房的水龙头漏水已经一个星期了，希望他这周末之前安排师傅上门维修。",
    "我下个月要去成都旅游五天，请推荐一些当地的美食和不太拥挤的景点，预算有限，最好能坐地铁到达。",
    "解释一下为什么天空是蓝色的，用小学生能听懂的话来说，不要用太多专业术语，可以举生活中的例子。",
    "帮我把这段话翻译成英文：我们公司明年计划在东南亚开设三家新的门店，主要销售户外运动装备。",
    "我的猫最近不爱吃东西，总是躲在床底下，精神也不太好，这可能是什么原因？需要马上带它去医院吗？",
    "写一首关于秋天的七言绝句，要有落叶、大雁和思乡的意境，最后一句要点明主题，语言尽量简洁。",
    "比较一下租房和买房在大城市生活的利弊，从经济压力、通勤时间、孩子上学和生活自由度几个方面分析。",
    "我在学习吉他，左手按弦总是很疼，而且换和弦的时候速度很慢，有什么练习方法可以帮助我进步吗？",
    "请总结这篇文章的主要观点：远程办公提高了员工的满意度，但也让团队之间的沟通变得更加困难。",
    "给一个刚毕业的程序员一些职业发展的建议，包括如何选择第一份工作、如何持续学习以及如何与同事相处。",
    "今天晚饭想做一道简单的家常菜，冰箱里只有鸡蛋、番茄、土豆和一点青椒，请告诉我可以做什么。",
    "用通俗的语言介绍一下区块链技术的基本原理，以及它和普通数据库相比有哪些优点和缺点。",
]


def _question(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=6)) + f" {rng.randint(1, 999)} and {rng.randint(1, 999)}?"


def _question_zh(rng: random.Random) -> str:
    return "".join(rng.choices(WORDS_ZH.split(), k=6)) + f"{rng.randint(1, 999)}和{rng.randint(1, 999)}？"


def _diverse(rng: random.Random) -> str:
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(0, 9_999_999):x}" for _ in range(40))


def _frame(rows: list[tuple[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [a for a, _ in rows],
            "request_id": [f"r{i}" for i in range(len(rows))],
            "ts": pd.date_range("2026-11-23", periods=len(rows), freq="37s", tz="UTC"),
            "prompt": [p for _, p in rows],
            "output_tokens": 500,
        }
    )


def _run(rows: list[tuple[str, object]], chunk: int = 1_000, **overrides: object) -> Analysis:
    frame = _frame(rows)
    config = Settings(**overrides)  # type: ignore[arg-type]
    return analyse(lambda: (frame.iloc[i : i + chunk] for i in range(0, len(frame), chunk)), config)


def _linked(result: Analysis, a: str, b: str) -> bool:
    links = result.links
    pair = (min(a, b), max(a, b))
    return bool(((links["account_a"] == pair[0]) & (links["account_b"] == pair[1])).any())


def test_normalise_masks_slots_lowercases_and_collapses_whitespace() -> None:
    text = 'Compute 3.14 * 2  for "my string"\n\tsee https://x.io/a?b=1 or mail bob@corp.com ```print(1)``` DONE'
    assert normalise_text(text) == "compute <m> * <m> for <m> see <m> or mail <m> <m> done"


def test_to_arrow_handles_empty_huge_non_utf8_and_emoji() -> None:
    values = [None, "", b"caf\xe9 \xff", "🚀 think 🤖", "x" * 100_000, "lone \udcff surrogate", float("nan")]
    array = to_arrow(values, max_chars=1_000).to_pylist()
    assert array[0] == "" and array[1] == "" and array[6] == ""
    assert array[2] == "caf\ufffd \ufffd"
    assert array[3] == "🚀 think 🤖"
    assert len(array[4]) == 1_000
    assert array[5] == "lone ? surrogate"  # a lone surrogate cannot be encoded: replaced


SLOT_PIECES = [*'aAhHtTpPsSwWxX:/.,-+_@"`“”«»\n \t\x0b\x0c\r0123456789ÉİKß\x00é', "http://", "https://", "www."]
# characters that are words of their own (Chinese, Japanese, Thai, Lao, Myanmar, Khmer, extension B), full-width and
# half-width forms (NFKC: ASCII, or kana), the ideographic space, and the code points at each edge of the ranges
UNSPACED_PIECES = [
    *"你好问题。、：，！「」　１２．Ａｈｔｔｐ／＠＂のカｶกีສကក𠀀豈﨎ㄱ가〇①ﬁ\xa0\u0085",
    *"\u0dff\u0e00\u0eff\u0f00\u0fff\u1000\u109f\u10a0\u177f\u1780\u17ff\u1800\u2fff\u3001\u9fff\ua000",
    *"\uf8ff\uf900\ufaff\ufb00\U0001fffd\U00020000\U0003fffd\U00040000",
]
SLOT_TEXT = st.lists(
    st.sampled_from([*SLOT_PIECES, *UNSPACED_PIECES, "```", "x@y.com", "a.b+c@d-e.fg", " <m> "]), max_size=60
).map("".join)  # text made of the bytes and pieces where the slots' and the word splitting's edge cases are


@given(st.lists(SLOT_TEXT, min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_the_kernel_masks_what_the_slots_pattern_masks(texts: list[str]) -> None:
    arrow = to_arrow(texts, max_chars=1_000)
    normalised = normalise(arrow)
    # the kernel masks normalised text again: compare where that changes nothing (a fence that a URL's mask
    # swallowed the closing backtick of reaches the end of the text the second time: "```http://`")
    assume(normalise(normalised).equals(normalised))
    masked_while_hashing = signatures(fold_case(arrow), 3, 64)
    assert (masked_while_hashing == signatures(normalised, 3, 64)).all()


def _reference_signature(text: str, width: int = 3, num_perm: int = 64) -> list[int]:
    """The kernel's specification in plain Python, from normalised text: words split on ASCII whitespace and
    control bytes, FNV-1a per word, a shingle hash per ``width`` words (one of all words if fewer), splitmix64's
    finaliser, one-permutation MinHash with rotation densification."""
    full = (1 << 64) - 1
    words = [word for word in re.split(rb"[\x00-\x20]+", text.encode()) if word]
    if not words:
        return [0xFFFF] * num_perm
    hashes = []
    for word in words:
        value = 0xCBF29CE484222325
        for byte in word:
            value = ((value ^ byte) * 0x100000001B3) & full
        hashes.append(value)
    bins: list[int | None] = [None] * num_perm
    for first in range(max(1, len(hashes) - width + 1)):
        shingle = 0
        for value in hashes[first : first + width]:
            shingle = (shingle * 0x9E3779B97F4A7C15 + value) & full
        x = shingle
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & full
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & full
        x ^= x >> 31
        slot, value = x >> (64 - num_perm.bit_length() + 1), x & 0xFFFF
        current = bins[slot]
        bins[slot] = value if current is None else min(current, value)
    out = []
    for j in range(num_perm):
        distance = next(d for d in range(num_perm) if bins[(j + d) % num_perm] is not None)
        out.append((bins[(j + distance) % num_perm] + distance * 0x9E37) & 0xFFFF)  # type: ignore[operator]
    return out


@given(st.lists(SLOT_TEXT, min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_the_kernel_hashes_the_words_of_the_text_form(texts: list[str]) -> None:
    """The text form is the kernel's specification: its whitespace-split words (slots masked, each character of a
    script without spaces apart) are exactly the words the kernel hashes from raw text."""
    arrow = to_arrow(texts, max_chars=1_000)
    expected = [_reference_signature(text) for text in normalise(arrow).to_pylist()]
    assert signatures(fold_case(arrow), 3, 64).tolist() == expected


def test_ascii_signatures_are_those_of_earlier_nights() -> None:
    """A family's id comes from its consensus signature, and tonight's family takes the id of a known
    ``TemplateFamily`` whose signature it matches: changing how ASCII text hashes would give every template of the
    earlier nights a new id and break their history. The digest was computed before scripts without spaces had
    one-character words (c2efdbd); ASCII text must still hash bit for bit the same."""
    edge_cases = [
        'Think step by step. Question: what is 12 + 30 at https://x.io/a?b=1 for bob@corp.com, "quoted" and ```x```?',
        'Compute 3.14 * 2  for "my string"\n\tsee www.x.io or mail a.b+c@d-e.fg ```print(1) DONE',
        "hello world",
        "one",
        "",
        " \t\n",
    ]
    rng = random.Random(8)
    texts = [
        *edge_cases,
        *(TEMPLATE.format(q=_question(rng)) for _ in range(20)),
        *(PARAPHRASE.format(q=_question(rng)) for _ in range(20)),
        *(_diverse(rng) for _ in range(20)),
    ]
    signature = signatures(fold_case(to_arrow(texts, 8_000)), 3, 64)
    assert hashlib.sha256(signature.tobytes()).hexdigest() == (
        "84d0b71843cbe1c0bb4a9d3f8c02f8c1ba245282edbd7076fe314c5a8745a8e2"
    )


def test_each_character_of_a_script_without_spaces_is_a_word() -> None:
    text = "请用Python写函数：ＦＩＢ(１０)，见https://a.b/c获取。Say　“hi”! สวัสดี ok"
    assert normalise_text(text) == "请 用 python 写 函 数 :fib( <m> ), 见 <m> 获 取 。 say <m> ! ส ว ั ส ด ี ok"


@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
@settings(max_examples=200, deadline=None)
def test_normalise_never_fails_and_is_idempotent(value: str | bytes) -> None:
    once = normalise_text(value)
    assert normalise_text(once) == once
    assert not any(ch.isdigit() for ch in once if ch.isascii())


def test_slot_filled_prompts_of_one_template_are_linked_across_accounts() -> None:
    rng = random.Random(1)
    rows = [(f"cot-{i % 12}", TEMPLATE.format(q=_question(rng))) for i in range(240)]
    rows += [(f"benign-{i}", _diverse(rng)) for i in range(60)]
    result = _run(rows)
    assert len(result.families) == 1
    family = result.families.iloc[0]
    assert family["accounts"] == 12 and family["requests"] == 240 and family["cot"]
    assert _linked(result, "cot-0", "cot-7") and _linked(result, "cot-3", "cot-11")
    assert not result.links["account_a"].str.startswith("benign").any()
    features = result.features.set_index("account_id")
    assert features.loc["cot-0", "prompt_cot_share"] == 1.0
    assert features.loc["cot-0", "prompt_template_concentration"] == 1.0
    assert features.loc["benign-0", "prompt_cot_share"] == 0.0


def test_paraphrased_variants_of_one_family_are_linked() -> None:
    rng = random.Random(2)
    rows = [(f"a-{i % 5}", TEMPLATE.format(q=_question(rng))) for i in range(100)]
    rows += [(f"b-{i % 5}", PARAPHRASE.format(q=_question(rng))) for i in range(100)]
    result = _run(rows)
    assert len(result.families) == 1
    assert result.families.iloc[0]["accounts"] == 10
    assert _linked(result, "a-0", "b-0") and _linked(result, "a-4", "b-2")


def test_paraphrased_chinese_prompts_of_one_template_form_one_family_and_unrelated_ones_none() -> None:
    """Chinese has no spaces between words: with word shingles, these prompts shared no shingle unless they were
    byte-identical after masking. Character trigrams find the template whatever the variant."""
    rng = random.Random(9)
    rows = [(f"zh-{i % 9}", variant.format(q=_question_zh(rng))) for variant in (TEMPLATE_ZH, PARAPHRASE_ZH,
            REORDERED_ZH) for i in range(60)]  # fmt: skip
    rows += [(f"other-{i}", text) for i, text in enumerate(UNRELATED_ZH)]
    rows += [(f"other-{i}", f"{text}谢谢！") for i, text in enumerate(UNRELATED_ZH)]  # each asked twice, near alike
    result = _run(rows)
    assert len(result.families) == 1
    assert result.families.iloc[0]["accounts"] == 9 and result.families.iloc[0]["requests"] == 180
    assert _linked(result, "zh-0", "zh-8")
    assert result.near_duplicate_prompts == 180 + 2 * len(UNRELATED_ZH)  # each unrelated prompt only with its twin
    assert not result.links["account_a"].str.startswith("other").any()


def test_a_mixed_chinese_and_english_template_is_one_family_beside_its_english_original() -> None:
    """Two variants of a Chinese template with English terms, three characters apart: with word shingles, each
    variant was a family of its own (a Chinese run between two spaces was one word)."""
    rng = random.Random(10)
    mixed = (
        "请用中文回答{}的问题，并且一步一步地思考：{{q}} 最后用一句话{}你的答案，在最后一行写出 final answer，"
        "并检查每一个 step 的推理是否{}。"
    )
    variants = [mixed.format("下面", "总结", "正确"), mixed.format("以下", "概括", "合理")]
    rows = [(f"mix-{i % 8}", variants[i % 8 // 4].format(q=_question(rng))) for i in range(80)]
    rows += [(f"en-{i % 4}", TEMPLATE.format(q=_question(rng))) for i in range(40)]
    result = _run(rows)
    assert sorted(result.families["accounts"]) == [4, 8] and len(result.links) == 28 + 6
    assert _linked(result, "mix-0", "mix-7") and not _linked(result, "mix-0", "en-0")


def test_templates_of_different_campaigns_do_not_chain_into_one_family() -> None:
    """150 campaigns draw their templates from the same sentence pools and the same curriculum of questions, so
    some prompt pairs of two campaigns are near-duplicates. Linked pair by pair (single linkage), up to 15 campaigns
    end in one family; merging two families only when their first prompts agree too keeps it to a handful."""
    rng = np.random.default_rng(1)
    rows: list[tuple[str, object]] = []
    for campaign in range(150):
        family = synth_prompts.cot_family(np.random.default_rng(campaign), f"c{campaign}", 3)
        texts = synth_prompts.cot(rng, [family], np.zeros(100, dtype=np.int64)).to_pylist()
        rows += [(f"c{campaign}-{i % 10}", text) for i, text in enumerate(texts)]
    result = _run(rows)
    campaigns = result.usage.assign(campaign=result.usage["account_id"].str.split("-").str[0])
    assert campaigns.groupby("family_id")["campaign"].nunique().max() <= 5
    assert campaigns["campaign"].nunique() == 150  # and every campaign still has its family


def test_unrelated_prompts_are_not_linked() -> None:
    rng = random.Random(3)
    rows = [(f"acct-{i}", _diverse(rng)) for i in range(400)]
    result = _run(rows)
    assert result.families.empty and result.links.empty and result.usage.empty
    assert result.near_duplicate_prompts == 0
    assert (result.features["prompt_template_concentration"] == 1.0).all()  # one prompt each: its own family


def test_a_family_shared_by_thousands_of_accounts_gets_a_low_weight() -> None:
    assert family_weight(np.array([2]), 1_000)[0] == 1.0
    assert family_weight(np.array([3_000]), 1_000)[0] == 0.0
    assert family_weight(np.array([900]), 1_000)[0] < 0.05
    rng = random.Random(4)
    tool = "You are CodePilot, an AI coding assistant inside the editor. Answer with code, keep it short. File: {q}"
    rows = [(f"user-{i}", tool.format(q=_question(rng))) for i in range(3_000)]
    rows += [(f"ring-{i % 4}", TEMPLATE.format(q=_question(rng))) for i in range(80)]
    result = _run(rows, chunk=700)
    families = result.families.sort_values("accounts")
    assert families["accounts"].tolist()[0] == 4 and families["accounts"].tolist()[-1] > 2_900
    assert families["weight"].tolist()[-1] == 0.0 and families["weight"].tolist()[0] > 0.7
    assert result.links["account_a"].str.startswith("ring").all() and len(result.links) == 6


def test_empty_huge_non_utf8_and_emoji_prompts_are_handled() -> None:
    rng = random.Random(5)
    rows: list[tuple[str, object]] = [
        ("e", ""),
        ("e", None),
        ("e", "   \n\t "),
        ("h", TEMPLATE.format(q=_question(rng)) + " filler" * 200_000),
        ("u", b"\xff\xfe caf\xe9 " + TEMPLATE.format(q=_question(rng)).encode()),
        ("m", "🚀🤖 " + TEMPLATE.format(q=_question(rng)) + " ✅"),
        ("x", TEMPLATE.format(q=_question(rng))),
        ("y", TEMPLATE.format(q=_question(rng))),
    ]
    result = _run(rows)
    assert result.prompts == 8 and result.empty_prompts == 3
    assert result.features.set_index("account_id").loc["e", "prompt_requests"] == 3
    assert result.families.iloc[0]["accounts"] >= 4  # "u", "m", "x", "y" (and "h": its head is the template)
    assert _linked(result, "u", "m")


def test_output_bound_top_k_and_min_score_hold() -> None:
    rng = random.Random(6)
    rows = [(f"acct-{i:03d}", TEMPLATE.format(q=_question(rng))) for i in range(300) for _ in range(2)]
    rows += [(f"acct-{i:03d}", _diverse(rng)) for i in range(0, 300, 3) for _ in range(rng.randint(1, 8))]
    result = _run(rows, similarity_top_k=5, similarity_min_score=0.1, similarity_family_max_accounts=100_000)
    links = result.links
    assert 300 <= len(links) <= 5 * 300
    assert (links["score"] >= 0.1).all() and (links["account_a"] < links["account_b"]).all()
    ends = pd.concat([links.rename(columns={"account_a": "me", "account_b": "other"}),
                      links.rename(columns={"account_b": "me", "account_a": "other"})])  # fmt: skip
    ends = ends.sort_values(["me", "score", "other"], ascending=[True, False, True])
    ends["rank"] = ends.groupby("me").cumcount()
    ends["edge"] = [tuple(sorted(pair)) for pair in zip(ends["me"], ends["other"], strict=True)]
    assert (ends.groupby("edge")["rank"].min() < 5).all()  # every edge is in the top-k of one of its accounts


def test_account_links_keep_only_top_k_of_either_endpoint() -> None:
    usage = pd.DataFrame({"account": [f"a{i:02d}" for i in range(30)], "family": 7, "share": 1.0})
    links = account_links(usage, pd.Series({7: 1.0}), min_score=0.1, top_k=3)
    degree = pd.concat([links["account_a"], links["account_b"]]).value_counts()
    assert len(links) <= 3 * 30 and degree.min() >= 1  # everyone keeps a link; the total is linear
    assert len(links) < 30 * 29 // 2


def test_a_template_is_recognised_on_another_night_with_new_slot_fillers() -> None:
    nights = []
    for seed in (10, 11, 12):
        rng = random.Random(seed)
        text = TEMPLATE if seed != 12 else "Summarise this contract clause in plain words for a lawyer: {q}"
        rows = [(f"n{seed}-{i % 6}", text.format(q=_question(rng))) for i in range(120)]
        nights.append(_run(rows))
    first, second, other = (np.array(n.families["signature"].tolist()) for n in nights)
    bands, rows = nights[0].bands, nights[0].rows
    assert match_known(second, first, bands, rows, 0.5).tolist() == [0]
    assert len(first) == 1 and len(other) >= 1
    assert (match_known(other, first, bands, rows, 0.5) == -1).all()


def test_prompt_text_never_reaches_the_outputs() -> None:
    rng = random.Random(7)
    secret = "zanzibar4471 Quixotic Hermione bob@example.org"
    rows = [(f"s-{i % 3}", TEMPLATE.format(q=f"{_question(rng)} {secret} {rng.random()}")) for i in range(30)]
    result = _run(rows)
    strings = [*result.families["example"], *result.families["family_id"], *result.usage["family_id"]]
    strings += [f for fams in result.links["families"] for f in fams]
    assert strings and all(isinstance(s, str) for s in strings)
    for text in strings:
        for word in ("zanzibar", "quixotic", "hermione", "bob@", "example.org", "apple", "falcon"):
            assert word not in text.lower()
    raw = {p for _, p in rows}
    assert not raw & set(strings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ask Maria about 42 apples at https://a.b", "ask <name> about <num> apples at <url>"),
        ('Translate "hello" please', "translate <str> please"),
    ],
)
def test_redact_masks_names_numbers_urls_and_quotes(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_num_perm_must_be_a_power_of_two() -> None:
    with pytest.raises(LinkageError, match="LINKAGE_SIMILARITY_NUM_PERM"):
        _run([("a", "hello world")], similarity_num_perm=48)


def test_a_segment_hashes_alike_whatever_its_slots_and_surroundings() -> None:
    """A sentence with other numbers, another case and other sentences around it is one segment; a label and a
    greeting of fewer than three words are none; a full stop inside an address or a number ends nothing."""
    texts = fold_case(to_arrow([
        "Narrate each step explicitly. A train covers 120 km in 2 hours. Answer as JSON with keys steps and answer.",
        "Problem: a TRAIN covers 99 km in 3 hours!  answer as json with keys steps and answer.",
        "Hi there. Mail john.doe@example.com the 3.14 figures now",
    ], 8_000))  # fmt: skip
    hashes, spans = segments(texts, 8, 3)
    first, second, third = (set(row[row > 0].tolist()) for row in hashes)
    assert len(first) == 3 and len(first & second) == 2  # the task statement and the answer format
    assert len(third) == 1  # "hi there" is too short; the address and the number stay inside their sentence
    raw = texts.to_pylist()[2].encode()
    start, end = spans[2, 0]
    assert raw[start:end].decode() == "Mail john.doe@example.com the 3.14 figures now"


def test_a_paraphrasing_farm_shares_its_habitual_segments_and_everyday_users_none() -> None:
    """Thirty accounts wrap each question in a freshly combined instruction (no two prompts alike) but keep their
    answer format: no template family holds them, and the format sentence is one segment all thirty send
    habitually, with a redacted example. Two hundred everyday users share no segment."""
    rng = np.random.default_rng(3)
    rows: list[tuple[str, object]] = []
    for account in range(30):
        for _ in range(40):
            wrapper = cot_family(rng, "en", "x", 1, heavy=True).variants[0]
            rows.append((f"farm{account}", wrapper.replace("{q}", str(curriculum(rng, 1, "en")[0])) + FORMAT))
    for account in range(200):
        rows += [(f"user{account}", str(text)) for text in languages.benign(rng, np.zeros(10, dtype=int), 0.03)]
    result = _run(rows, similarity_family_max_accounts=100_000)
    shared = result.segments.set_index("family_id")
    assert result.families["accounts"].max() < 30  # no family holds the farm
    farm_segment = shared[shared["accounts"] == 30]
    assert len(farm_segment) == 1 and farm_segment["example"].iloc[0].endswith("with keys steps and answer")
    users = result.segment_usage[result.segment_usage["family_id"].isin(farm_segment.index)]["account_id"]
    assert sorted(users) == sorted(f"farm{account}" for account in range(30))
    assert not result.segment_usage["account_id"].str.startswith("user").any()
