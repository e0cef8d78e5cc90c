"""The similarity computation over a stream of prompt chunks, without the database.

Pass 1 keeps, per prompt, only its 16-bit signature, account code, timestamp, output tokens and CoT flag (about
150 bytes; never its text). Families, links and features are computed from those arrays. Pass 2 cuts the prompts
outside the written families into segments (:mod:`linkage.similarity.segments`) and keeps, per account and segment,
how many of its requests carry it. Pass 3 re-reads the stream only to pick a few prompts per written family and
segment and turn them into a redacted example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.errors import LinkageError
from linkage.settings import Settings
from linkage.similarity import families, links, minhash, segments
from linkage.similarity.features import account_features, model_adoptions
from linkage.similarity.normalise import chain_of_thought, fold_case, redact, to_arrow
from loaders.times import ABSENT, epoch_millis

ChunkSource = Callable[[], Iterable[pd.DataFrame]]
Progress = Callable[[str], None]
NO_TIME = ABSENT  # a prompt without a time
NO_MODEL = -1  # a prompt that names no model
EXAMPLES_PER_FAMILY = 7  # a word of the example must be in all of them, so slot fillers drop out


@dataclass
class Analysis:
    """What the stage writes: family nodes, account-family usage, account links, account features, and the
    segments accounts send habitually with their usage (written as families of kind 'segment')."""

    families: pd.DataFrame  # family_id, kind, example, accounts, requests, cot_share, cot, weight, signature
    usage: pd.DataFrame  # account_id, family_id, requests, share
    links: pd.DataFrame  # account_a, account_b, score, families
    features: pd.DataFrame  # account_id + prompt_* features
    adoptions: pd.DataFrame  # account_id, model, first_used (epoch ms): when each account first asked each model
    segments: pd.DataFrame  # the families' columns, kind 'segment', no signature
    segment_usage: pd.DataFrame  # account_id, family_id, requests, share
    prompts: int = 0
    empty_prompts: int = 0
    near_duplicate_prompts: int = 0
    bands: int = 0
    rows: int = 0


@dataclass
class Columns:
    """Pass 1's per-prompt columns besides the signatures, chunk by chunk in stream order (never the text)."""

    accounts: list[np.ndarray] = field(default_factory=list)
    times: list[np.ndarray] = field(default_factory=list)
    outputs: list[np.ndarray] = field(default_factory=list)
    cot: list[np.ndarray] = field(default_factory=list)
    lengths: list[np.ndarray] = field(default_factory=list)
    models: list[np.ndarray] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    model_codes: dict[str, int] = field(default_factory=dict)

    def add(self, chunk: pd.DataFrame) -> None:
        """The columns of one chunk that need no hashing: account, model, time and output tokens."""
        self.accounts.append(_account_codes(chunk["account_id"], self.codes))
        self.models.append(_model_codes(chunk["model"], self.model_codes) if "model" in chunk else
                           np.full(len(chunk), NO_MODEL, dtype=np.int32))  # fmt: skip
        self.times.append(_seconds(chunk["ts"]) if "ts" in chunk else np.full(len(chunk), NO_TIME))
        tokens = chunk["output_tokens"] if "output_tokens" in chunk else pd.Series(0, index=chunk.index)
        self.outputs.append(pd.to_numeric(tokens, errors="coerce").fillna(0).clip(lower=0).to_numpy(np.int64))


Pass1 = tuple[Columns, np.ndarray, np.ndarray]  # the columns, the signatures and the family label of every prompt
Engine = Callable[[ChunkSource, Settings, Progress], Pass1]  # how pass 1 runs: here (local_pass1) or on Spark


@dataclass(frozen=True)
class Hashing:
    """What signing prompts needs: small and free of secrets, so that it can travel to Spark's executors."""

    max_chars: int
    shingle_words: int
    num_perm: int

    @classmethod
    def of(cls, settings: Settings) -> Hashing:
        return cls(
            settings.similarity_max_prompt_chars, settings.similarity_shingle_words, settings.similarity_num_perm
        )


def checked(chunk: pd.DataFrame) -> pd.DataFrame:
    """A chunk of prompts, once it is known to have the columns every pass reads."""
    if "account_id" not in chunk or "prompt" not in chunk:
        raise LinkageError("prompt chunks need the columns account_id and prompt")
    return chunk


def _prepare(prompts: Iterable[object], max_chars: int) -> tuple[pa.StringArray, np.ndarray]:
    """Case-folded text (for the kernel, which masks the slots) and chain-of-thought flags of one chunk (pyarrow
    kernels: they release the GIL)."""
    texts = fold_case(to_arrow(prompts, max_chars))
    cot = chain_of_thought(texts).to_numpy(zero_copy_only=False)
    return texts, np.asarray(cot, dtype=bool)


def _signed(texts: pa.StringArray, hashing: Hashing) -> tuple[np.ndarray, np.ndarray]:
    """Signatures and lengths in characters of prepared text."""
    sig = minhash.signatures(texts, hashing.shingle_words, hashing.num_perm)
    return sig, pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int32)


def sign_prompts(prompts: Iterable[object], hashing: Hashing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signatures, chain-of-thought flags and lengths of one chunk of raw prompts: the hashing core, which Spark
    runs per partition and the benchmark times."""
    texts, cot = _prepare(prompts, hashing.max_chars)
    sig, lengths = _signed(texts, hashing)
    return sig, cot, lengths


def _prepared(
    chunks: Iterable[pd.DataFrame], max_chars: int
) -> Iterator[tuple[pd.DataFrame, pa.StringArray, np.ndarray]]:
    """Chunks with their prepared text, the next chunk prepared in a worker thread while the caller signs
    this one (two cores busy instead of one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[tuple[pa.StringArray, np.ndarray]] | None = None
        previous: pd.DataFrame | None = None
        for chunk in chunks:
            future = pool.submit(_prepare, checked(chunk)["prompt"], max_chars)
            if pending is not None and previous is not None:
                yield (previous, *pending.result())
            pending, previous = future, chunk
        if pending is not None and previous is not None:
            yield (previous, *pending.result())


def local_pass1(chunks: ChunkSource, settings: Settings, say: Progress) -> Pass1:
    """Pass 1 on this machine: sign each chunk, then bucket the band keys in a compiled hash table."""
    hashing, columns, signatures = Hashing.of(settings), Columns(), []
    seen = 0
    for chunk, texts, cot in _prepared(chunks(), hashing.max_chars):
        columns.add(chunk)
        sig, lengths = _signed(texts, hashing)
        signatures.append(sig)
        columns.cot.append(cot)
        columns.lengths.append(lengths)
        seen += len(chunk)
        say(f"similarity: hashed {seen:,} prompts")
    sig = np.concatenate(signatures) if signatures else np.zeros((0, hashing.num_perm), np.uint16)
    signatures.clear()
    bands, rows = banding(settings)
    say(f"similarity: grouping {len(sig):,} prompts into families ({bands} bands x {rows} rows)")
    return columns, sig, families.assign_families(sig, bands, rows, verify_level(settings))


def _account_codes(ids: pd.Series, codes: dict[str, int]) -> np.ndarray:
    local, uniques = pd.factorize(ids.astype(str), use_na_sentinel=False)
    mapped = np.array([codes.setdefault(u, len(codes)) for u in uniques], dtype=np.int32)
    return mapped[local] if len(mapped) else np.zeros(0, dtype=np.int32)


def _model_codes(models: pd.Series, codes: dict[str, int]) -> np.ndarray:
    """Small integer codes of the models the prompts asked, :data:`NO_MODEL` where none is named."""
    local, uniques = pd.factorize(models)
    mapped = np.array([codes.setdefault(str(u), len(codes)) for u in uniques], dtype=np.int32)
    return np.where(local >= 0, mapped[local] if len(mapped) else NO_MODEL, NO_MODEL).astype(np.int32)


def _seconds(ts: pd.Series) -> np.ndarray:
    """Epoch seconds of the prompts' times (datetimes: the loader parsed them), :data:`NO_TIME` where missing."""
    millis = epoch_millis(ts)
    return np.where(millis == ABSENT, NO_TIME, millis // 1000)


def analyse(
    chunks: ChunkSource, settings: Settings, progress: Progress | None = None, engine: Engine = local_pass1
) -> Analysis:
    """Families, links and features of every prompt ``chunks()`` yields (called more than once: several passes).
    ``engine`` runs pass 1 (signatures and family labels); what follows is the same whichever ran it."""
    say = progress or (lambda _: None)
    if settings.similarity_num_perm & (settings.similarity_num_perm - 1):
        raise LinkageError("LINKAGE_SIMILARITY_NUM_PERM must be a power of two (e.g. 64)")
    state, sig, labels = engine(chunks, settings, say)
    account = np.concatenate(state.accounts) if state.accounts else np.zeros(0, np.int32)
    names = np.array(list(state.codes), dtype=object)
    bands, rows = banding(settings)
    cot = np.concatenate(state.cot) if state.cot else np.zeros(0, bool)

    pairs = pd.DataFrame({"account": account, "family": labels})[labels >= 0]
    usage_all: pd.DataFrame = pairs.value_counts().rename("requests").reset_index()
    accounts_per_family = usage_all.groupby("family").size()
    prompts_per_family = usage_all.groupby("family")["requests"].sum()
    # a "family" of two or three prompts is a coincidence (often stragglers at the edge of a popular template), not
    # a template: it would link its accounts at full weight
    wanted = accounts_per_family[
        (accounts_per_family >= settings.similarity_min_family_accounts)
        & (prompts_per_family >= settings.similarity_min_family_requests)
    ].index.to_numpy()
    consensus = families.consensus(sig, labels, wanted)
    ids = dict(zip(wanted.tolist(), families.family_ids(consensus), strict=True))
    del sig

    times = np.concatenate(state.times) if state.times else np.zeros(0, np.int64)
    outputs = np.concatenate(state.outputs) if state.outputs else np.zeros(0, np.int64)
    lengths = np.concatenate(state.lengths) if state.lengths else np.zeros(0, np.int32)
    features = account_features(account, times, outputs, cot, labels, lengths, settings.similarity_habit_min_requests)
    totals = features["prompt_requests"]
    features.insert(0, "account_id", names[features.index.to_numpy()])
    models = np.concatenate(state.models) if state.models else np.zeros(0, np.int32)
    adoptions = model_adoptions(account, models, times)
    adoptions["account_id"] = names[adoptions["account_id"].to_numpy()]
    adoptions["model"] = np.array(list(state.model_codes), dtype=object)[adoptions["model"].to_numpy()]

    usage = usage_all[usage_all["family"].isin(wanted)].copy()
    usage["share"] = usage["requests"] / usage["account"].map(totals)
    family_table = _family_table(labels, cot, wanted, accounts_per_family, settings)
    weights = pd.Series(family_table["weight"].to_numpy(), index=wanted)
    linked = links.account_links(
        usage.assign(account=names[usage["account"].to_numpy()]),
        weights,
        min_score=settings.similarity_min_score,
        top_k=settings.similarity_top_k,
    )
    say(f"similarity: {len(wanted):,} shared families, {len(linked):,} account links; cutting prompts into segments")
    segment_usage, segment_table = _segment_families(chunks, account, np.isin(labels, wanted), totals, settings)
    say(f"similarity: {len(segment_table):,} shared segments; picking examples")
    examples = _examples(chunks, labels, wanted, settings)
    segment_examples = _segment_examples(chunks, segment_table, settings)

    family_table["family_id"] = [ids[int(f)] for f in wanted]
    family_table["kind"] = "template"
    family_table["example"] = [examples.get(int(f), "") for f in wanted]
    family_table["signature"] = consensus.tolist()
    segment_table["example"] = [segment_examples.get(int(h), "") for h in segment_table["segment"]]
    segment_table["cot_share"] = (
        chain_of_thought(pa.array(segment_table["example"], pa.string()))
        .to_numpy(zero_copy_only=False)
        .astype(np.float64)
    )
    segment_table["cot"] = segment_table["cot_share"] >= settings.similarity_cot_family_share
    segment_table["weight"] = links.family_weight(segment_table["accounts"], settings.similarity_family_max_accounts)
    linked["families"] = [[ids[int(f)] for f in fams] for fams in linked["families"]]
    usage_out = pd.DataFrame(
        {
            "account_id": names[usage["account"].to_numpy()],
            "family_id": [ids[int(f)] for f in usage["family"]],
            "requests": usage["requests"].to_numpy(np.int64),
            "share": usage["share"].to_numpy(np.float64),
        }
    )
    # two components with one consensus are one template: their usage adds up under the shared id
    usage_out = usage_out.groupby(["account_id", "family_id"], as_index=False, sort=False)[["requests", "share"]].sum()
    # a family an account sent once is one it came across, not one it uses: a farm that mixes ordinary prompts into
    # its traffic sends the generic ones in passing too, and a carrier NAT user who once asks the same would share
    # the farm's network and a "template" with it. Only habitual use makes the family a value the account shares
    usage_out = usage_out[usage_out["requests"] >= settings.similarity_template_min_requests].reset_index(drop=True)
    segment_out = pd.DataFrame(
        {
            "account_id": names[segment_usage["account"].to_numpy()],
            "family_id": segment_usage["family_id"].to_numpy(),
            "requests": segment_usage["requests"].to_numpy(np.int64),
            "share": (segment_usage["requests"] / segment_usage["account"].map(totals)).to_numpy(np.float64),
        }
    )
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(0, np.int64)
    return Analysis(
        families=family_table.drop_duplicates("family_id").reset_index(drop=True),
        usage=usage_out,
        links=linked,
        features=features.reset_index(drop=True),
        adoptions=adoptions,
        segments=segment_table.drop(columns=["segment", "first"]).assign(signature=None),
        segment_usage=segment_out,
        prompts=len(labels),
        empty_prompts=int((labels < 0).sum()),
        near_duplicate_prompts=int(sizes[sizes >= 2].sum()),
        bands=bands,
        rows=rows,
    )


def banding(settings: Settings) -> tuple[int, int]:
    """LSH bands and rows per band."""
    if settings.similarity_bands is None:
        return minhash.optimal_bands(settings.similarity_threshold, settings.similarity_num_perm)
    bands = min(settings.similarity_bands, settings.similarity_num_perm)
    return bands, settings.similarity_num_perm // bands


def verify_level(settings: Settings) -> float:
    """The share of bins two prompts of one family agree on at least."""
    return max(settings.similarity_threshold - settings.similarity_verify_margin, 0.0)


def _family_table(
    labels: np.ndarray, cot: np.ndarray, wanted: np.ndarray, accounts: pd.Series, settings: Settings
) -> pd.DataFrame:
    in_family = labels >= 0
    requests = np.bincount(labels[in_family], minlength=int(labels.max(initial=-1)) + 1)
    cot_count = np.bincount(labels[in_family], weights=cot[in_family], minlength=len(requests))
    table = pd.DataFrame(
        {
            "accounts": accounts.reindex(wanted).to_numpy(np.int64),
            "requests": requests[wanted].astype(np.int64),
            "cot_share": cot_count[wanted] / np.maximum(requests[wanted], 1),
        }
    )
    table["cot"] = table["cot_share"] >= settings.similarity_cot_family_share
    table["weight"] = links.family_weight(table["accounts"], settings.similarity_family_max_accounts)
    return table


def _examples(chunks: ChunkSource, labels: np.ndarray, wanted: np.ndarray, settings: Settings) -> dict[int, str]:
    """Pass 2: a redacted template example per wanted family, from its first few prompts."""
    if not len(wanted):
        return {}
    chosen = families.representatives(labels, wanted, EXAMPLES_PER_FAMILY)
    family_of = dict(zip(chosen["ordinal"].to_numpy().tolist(), chosen["family"].to_numpy().tolist(), strict=True))
    last = max(family_of)
    samples: dict[int, list[str]] = {}
    start = 0
    for chunk in chunks():
        positions = np.arange(start, start + len(chunk))
        hits = np.flatnonzero(np.isin(positions, chosen["ordinal"].to_numpy()))
        if len(hits):
            texts = to_arrow(chunk["prompt"].iloc[hits], settings.similarity_max_prompt_chars).to_pylist()
            for offset, text in zip(hits.tolist(), texts, strict=True):
                samples.setdefault(family_of[start + offset], []).append(redact(text or ""))
        start += len(chunk)
        if start > last:
            break
    return {family: families.template_example(texts) for family, texts in samples.items()}


def _cut(prompts: pd.Series, settings: Settings) -> tuple[np.ndarray, np.ndarray, pa.StringArray]:
    """The segments of some prompts (:func:`segments.segments`) and the folded text their spans point into."""
    texts = fold_case(to_arrow(prompts, settings.similarity_max_prompt_chars))
    hashes, spans = segments.segments(texts, settings.similarity_max_segments, settings.similarity_segment_min_words)
    return hashes, spans, texts


def _segment_families(
    chunks: ChunkSource, account: np.ndarray, in_family: np.ndarray, requests: pd.Series, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pass 2: the habitual segments of the prompts outside written families (``in_family``: per prompt) that at
    least two accounts send. Returns the usage (account code, family_id, requests) and the table of segments
    (segment hash, family_id, accounts, requests, and ``first``: the ordinal of a prompt that carries it)."""
    parts = []
    start = 0
    for chunk in chunks():
        stop = start + len(chunk)
        outside = ~in_family[start:stop]
        if outside.any():
            hashes, _, _ = _cut(chunk["prompt"].iloc[np.flatnonzero(outside)], settings)
            ordinal = np.flatnonzero(outside) + start
            rows = segments.segment_rows(hashes, account[ordinal], ordinal)
            parts.append(rows.groupby(["account", "segment"], as_index=False, sort=False).agg(
                requests=("ordinal", "size"), first=("ordinal", "min")))  # fmt: skip
        start = stop
    none = pd.DataFrame({column: np.zeros(0, np.int64) for column in ("account", "segment", "requests", "first")})
    found = pd.concat(parts, ignore_index=True) if parts else none
    found = found.groupby(["account", "segment"], as_index=False, sort=False).agg(
        requests=("requests", "sum"), first=("first", "min"))  # fmt: skip
    usage = segments.habitual(found, requests, settings.similarity_segment_min_share,
                              settings.similarity_segment_min_requests).merge(found)  # fmt: skip
    table = usage.groupby("segment", as_index=False).agg(
        accounts=("account", "size"), requests=("requests", "sum"), first=("first", "min"))  # fmt: skip
    table = table[table["accounts"] >= settings.similarity_min_family_accounts].reset_index(drop=True)
    table["family_id"] = segments.segment_ids(table["segment"].to_numpy())
    table["kind"] = "segment"
    usage = usage.merge(table[["segment", "family_id"]])
    return usage[["account", "family_id", "requests"]], table


def _segment_examples(chunks: ChunkSource, table: pd.DataFrame, settings: Settings) -> dict[int, str]:
    """Pass 3 for segments: each written segment's redacted text, cut from the first prompt that carries it."""
    if table.empty:
        return {}
    wanted = set(table["segment"].tolist())
    by_ordinal: dict[int, list[int]] = {}
    for ordinal, value in zip(table["first"].tolist(), table["segment"].tolist(), strict=True):
        by_ordinal.setdefault(int(ordinal), []).append(int(value))
    last = max(by_ordinal)
    found: dict[int, str] = {}
    start = 0
    for chunk in chunks():
        positions = [p for p in by_ordinal if start <= p < start + len(chunk)]
        if positions:
            hashes, spans, texts = _cut(chunk["prompt"].iloc[[p - start for p in positions]], settings)
            raw = [text.encode() for text in texts.to_pylist()]
            for row in range(len(positions)):
                for place, value in enumerate(hashes[row].view(np.int64).tolist()):
                    if value in wanted and value not in found:
                        begin, end = spans[row, place]
                        found[value] = redact(raw[row][begin:end].decode(errors="replace"))
        start += len(chunk)
        if start > last:
            break
    return found


def rename_families(result: Analysis, mapping: dict[str, str]) -> None:
    """Give families the ids of the earlier families they continue (``mapping``: new id -> known id)."""
    if not mapping:
        return
    result.families["family_id"] = result.families["family_id"].map(lambda f: mapping.get(f, f))
    result.usage["family_id"] = result.usage["family_id"].map(lambda f: mapping.get(f, f))
    result.links["families"] = [[mapping.get(f, f) for f in fams] for fams in result.links["families"]]
