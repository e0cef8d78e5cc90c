"""What every group builder shares: the chunk it works on, the rows it returns, and makers of common columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios import prompts
from linkage.scenarios.languages import CODES
from linkage.scenarios.scenario import GroupPlan, Scenario
from linkage.scenarios.values import concat, iso_times, numbers, pick, rng_for, tokens
from linkage.scenarios.voice import Voice

T = TypeVar("T", int, float, str)

SCHEMAS = {
    "accounts": ["account_id", "created_at", "email", "country", "org_id"],
    "payments": ["account_id", "payment_fingerprint", "method_type", "card_country", "first_seen"],
    "sessions": ["account_id", "ip", "ts", "user_agent", "device_id"],
    "prompts": ["account_id", "request_id", "ts", "prompt", "model", "input_tokens", "output_tokens"],
    "bans": ["account_id", "banned_at", "reason"],
    "allowlist": ["account_id", "org_id", "ip", "cidr"],
    "truth": ["account_id", "group", "kind", "night"],
}
POPULAR = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me", "gmx.de", "web.de"]
POPULAR_P = [0.45, 0.15, 0.1, 0.1, 0.06, 0.05, 0.05, 0.04]
DISPOSABLE = ["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "trashmail.com"]
COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "CA", "JP", "ES", "NL", "PL", "KR", "AU", "MX", "SE"]
COUNTRIES_P = [0.3, 0.08, 0.08, 0.06, 0.1, 0.06, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.02]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Edg/131.0",
    "sdk-python/1.42.0",
]
SCRIPTED = ["python-requests/2.31.0", "aiohttp/3.9.5", "Go-http-client/1.1", "curl/8.5.0", "dist-harvest/0.4.2"]
RESIDENTIAL_FIRST_OCTETS = [24, 67, 71, 73, 76, 81, 86, 92, 98, 109, 151, 174, 177, 188, 201, 213]
MODELS = ["model-large", "model-small"]
NEW_MODEL = "model-large-2"  # released on night 2


@dataclass
class Chunk:
    """The accounts of one group this call generates: serials ``lo..hi`` of the group, for ``night``."""

    scenario: Scenario
    plan: GroupPlan
    plans: dict[str, GroupPlan]
    chunk: int
    lo: int
    hi: int
    night: int

    @property
    def n(self) -> int:
        return self.hi - self.lo

    @property
    def returning(self) -> bool:
        """True when this call is a later night's activity of accounts created earlier."""
        return self.night > self.plan.night

    def rng(self, purpose: str) -> np.random.Generator:
        """Members' attributes never depend on the night; activity does. Every draw made on one night only (the
        accounts' e-mails and cards) has its own stream, so a returning night sees the same members."""
        night = self.night if purpose in ("activity", "emit") else 0
        return rng_for(self.scenario.seed, self.plan.name, self.chunk, purpose, night)

    def group_rng(self, purpose: str) -> np.random.Generator:
        """The group's shared infrastructure: the same for every chunk and night."""
        return rng_for(self.scenario.seed, self.plan.name, purpose)

    def account_ids(self) -> pa.Array:
        serials = np.arange(self.plan.first_serial + self.lo, self.plan.first_serial + self.hi)
        return tokens("u_", serials, "account", self.scenario.seed)

    def token(self, prefix: str, kind: str, local: np.ndarray) -> pa.Array:
        """Ids of a kind of entity owned by this group (cards, devices…), unique across groups."""
        serials = (np.int64(self.plan.index) << np.int64(36)) + local.astype(np.int64)
        return tokens(prefix, serials, kind, self.scenario.seed)

    def window(self) -> tuple[int, int]:
        return self.scenario.night_window(self.night)

    def param(self, key: str, default: T) -> T:
        """The group's drawn value for ``key`` (a randomised scenario), else the fixed scenario's constant."""
        return cast(T, type(default)(self.plan.params[key])) if key in self.plan.params else default

    def drawn(self, key: str, draw: Callable[[], T]) -> T:
        """The group's drawn value for ``key``, else the fixed scenario's own draw, made where it always was: a fixed
        scenario's streams never shift, so its files stay byte-identical."""
        return cast(T, self.plan.params[key]) if key in self.plan.params else draw()

    def voice(self) -> Voice:
        """How the members write: the fixed scenario's English, the group's drawn language, or each member's own
        language drawn from the scenario's mix (groups of unrelated users)."""
        mix = self.scenario.mix
        if mix is None:
            return Voice(None)
        language = self.plan.params.get("language")
        if isinstance(language, str):
            return Voice(np.full(self.n, CODES.index(language)))
        weights = np.array([mix.languages.get(code, 0.0) for code in CODES])
        return Voice(self.rng("language").choice(len(CODES), self.n, p=weights / weights.sum()))


@dataclass
class Block:
    """Rows of one chunk, per batch file (plus the ground truth and any known bans)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)

    def add(self, name: str, columns: dict[str, pa.Array | np.ndarray]) -> None:
        table = pa.table({c: columns[c] for c in SCHEMAS[name]})
        self.tables[name] = pa.concat_tables([self.tables[name], table]) if name in self.tables else table


def emails(rng: np.random.Generator, n: int, domains: list[str], p: list[float] | None = None) -> pa.Array:
    """Invented handles (``name.name42``) at the given domains."""
    first = pick(prompts.NAMES, rng.integers(0, len(prompts.NAMES), n))
    second = pick(prompts.NAMES, rng.integers(0, len(prompts.NAMES), n))
    domain = pick(domains, rng.choice(len(domains), n, p=p))
    return concat(first, ".", second, numbers(rng.integers(1, 10_000, n)), "@", domain)


def sequential_emails(rng: np.random.Generator, start: int, n: int, domains: list[str]) -> pa.Array:
    """Farm handles: one stem and a running number, the pattern scripted sign-ups leave."""
    stem = str(rng.choice(prompts.NAMES))
    domain = pick(domains, rng.integers(0, len(domains), n))
    return concat(stem, numbers(np.arange(start, start + n) + 100), "@", domain)


def countries(rng: np.random.Generator, n: int) -> pa.Array:
    return pick(COUNTRIES, rng.choice(len(COUNTRIES), n, p=COUNTRIES_P))


def residential_ips(rng: np.random.Generator, n: int) -> np.ndarray:
    """Home addresses: random hosts across residential /8s, so nearly every account has its own /24."""
    first = np.array(RESIDENTIAL_FIRST_OCTETS)[rng.integers(0, len(RESIDENTIAL_FIRST_OCTETS), n)]
    return (first.astype(np.uint64) << np.uint64(24)) + rng.integers(0, 1 << 24, n).astype(np.uint64)


def pool_ips(rng: np.random.Generator, subnets: list[int], size: int) -> np.ndarray:
    """``size`` distinct host addresses spread over the given /24 bases."""
    hosts = rng.choice(np.arange(1, 255), size=(len(subnets), 254), replace=True)
    base = np.array(subnets, dtype=np.uint64)
    picks = np.arange(size)
    addresses = base[picks % len(subnets)] + hosts[picks % len(subnets), picks // len(subnets) % 254].astype(np.uint64)
    return np.unique(addresses)


def shared_pool(chunk: Chunk, kind: str) -> np.ndarray:
    """The addresses unrelated users share: a carrier's NAT pool or a VPN's exits. Each address carries a few dozen
    users at least (thousands at scale): the pool grows with the group, up to 32 NAT IPs in 4 /24s or 60 VPN exits
    in 3 /24s, so a small scenario does not turn a carrier into a rare, proxy-like pool. A randomised scenario draws
    the carrier's NAT size and /24s."""
    g = chunk.group_rng("pool")
    size = chunk.plan.size
    if kind == "carrier":
        count = chunk.param("nat_ips", int(np.clip(size // 25, 4, 32)))
        second = int(g.integers(0, 256))
        subnets = [(172 << 24) | (second << 16) | (int(g.integers(0, 256)) << 8)
                   for _ in range(chunk.param("nat_subnets", -(-count // 8)))]  # fmt: skip
        return pool_ips(g, subnets, count)
    count = int(np.clip(size // 30, 3, 60))
    subnets = [(185 << 24) | (int(g.integers(0, 1 << 16)) << 8) for _ in range(min(3, -(-count // 20)))]
    return pool_ips(g, subnets, count)


def datacenter_subnets(rng: np.random.Generator, count: int) -> list[int]:
    """/24 bases in hosting ranges (no residential /8)."""
    firsts = [45, 91, 103, 146, 159, 167, 185, 193, 194, 209]
    return [
        (int(rng.choice(firsts)) << 24) | (int(rng.integers(0, 256)) << 16) | (int(rng.integers(0, 256)) << 8)
        for _ in range(count)
    ]


def spread(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Row → member index for ``counts[i]`` rows per member."""
    return np.repeat(np.arange(len(counts)), counts)


def times(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    return rng.integers(lo, max(lo + 1, hi), n)


def prompt_columns(
    chunk: Chunk, account_row: pa.Array, ts: np.ndarray, text: pa.Array, model: pa.Array, output: np.ndarray
) -> dict[str, pa.Array | np.ndarray]:
    """The prompts file's columns; request ids are unique per (night, group, chunk, row)."""
    local = np.arange(len(ts), dtype=np.int64)
    serial = (np.int64(chunk.night) << 58) + (np.int64(chunk.plan.index) << 42) + (np.int64(chunk.chunk) << 30) + local
    return {
        "account_id": account_row,
        "request_id": tokens("req_", serial, "request", chunk.scenario.seed),
        "ts": iso_times(ts),
        "prompt": text,
        "model": model,
        "input_tokens": pc.divide(pc.utf8_length(text), 4),
        "output_tokens": output.astype(np.int64),
    }


def benign_output(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(rng.lognormal(5.5, 0.8, n), 5, 8000).astype(np.int64)


def benign_models(rng: np.random.Generator, n: int, night: int) -> pa.Array:
    """The models of ``n`` benign requests; from night 2 on, users take up the new model one by one (three in ten
    of their requests), a release-day crowd as wide as the graph."""
    u = rng.random(n)
    models = pick(MODELS, (u < 0.4).astype(np.int64))
    return pc.if_else(pa.array(u >= 0.7), NEW_MODEL, models) if night >= 2 else models


RowFn = Callable[[np.random.Generator, np.ndarray], pa.Array]
OutputFn = Callable[[np.random.Generator, np.ndarray], np.ndarray]


@dataclass
class Activity:
    """How a chunk's members behave in one night: counts per member and makers of per-row values."""

    created: np.ndarray  # epoch seconds per member (no activity before it)
    sessions: np.ndarray  # sessions per member
    prompts: np.ndarray  # prompts per member
    ip: RowFn  # member index per session row -> ip strings
    device: RowFn
    user_agent: RowFn
    text: RowFn  # member index per prompt row -> prompt text
    output: OutputFn
    model: RowFn


def emit_activity(chunk: Chunk, block: Block, ids: pa.Array, activity: Activity) -> None:
    """Sessions and prompts of the night; on a later night only a share of the members comes back."""
    rng = chunk.rng("emit")
    sessions, prompt_counts = activity.sessions, activity.prompts
    if chunk.returning:
        back = rng.random(chunk.n) < chunk.scenario.returning_share
        sessions, prompt_counts = sessions * back, prompt_counts * back
    lo, hi = chunk.window()
    begin = np.maximum(activity.created, lo)

    def stamps(rows: np.ndarray) -> np.ndarray:
        offsets: np.ndarray = (rng.random(len(rows)) * (hi - begin[rows])).astype(np.int64)
        return np.asarray(begin[rows] + offsets)

    rows = spread(rng, sessions)
    member = pa.array(rows)
    block.add("sessions", {
        "account_id": ids.take(member), "ip": activity.ip(rng, rows), "ts": iso_times(stamps(rows)),
        "user_agent": activity.user_agent(rng, rows), "device_id": activity.device(rng, rows),
    })  # fmt: skip
    rows = spread(rng, prompt_counts)
    block.add("prompts", prompt_columns(chunk, ids.take(pa.array(rows)), stamps(rows), activity.text(rng, rows),
                                       activity.model(rng, rows), activity.output(rng, rows)))  # fmt: skip


def either(rng: np.random.Generator, rows: np.ndarray, chosen: np.ndarray, when: RowFn, otherwise: RowFn) -> pa.Array:
    """Per row, ``when``'s value where ``chosen``, else ``otherwise``'s: each made for its own rows only (for makers
    too costly to run on every row and throw most away)."""
    yes, no = np.flatnonzero(chosen), np.flatnonzero(~chosen)
    values = pa.concat_arrays([when(rng, rows[yes]), otherwise(rng, rows[no])])
    position = np.empty(len(rows), dtype=np.int64)
    position[yes], position[no] = np.arange(len(yes)), len(yes) + np.arange(len(no))
    return values.take(pa.array(position))


def per_member(values: pa.Array) -> RowFn:
    """A row maker that repeats each member's own value."""
    return lambda _rng, rows: values.take(pa.array(rows))


def constant(value: str) -> RowFn:
    return lambda _rng, rows: pa.array(np.full(len(rows), value), type=pa.string())


def accounts_and_truth(
    chunk: Chunk, block: Block, ids: pa.Array, created: np.ndarray, email: pa.Array, country: pa.Array,
    org: pa.Array | None = None,
) -> None:  # fmt: skip
    """The accounts rows and their ground truth (only on the night the accounts appear)."""
    block.add("accounts", {
        "account_id": ids, "created_at": iso_times(created), "email": email, "country": country,
        "org_id": org if org is not None else pa.nulls(len(ids), pa.string()),
    })  # fmt: skip
    block.add("truth", {
        "account_id": ids, "group": pa.array([chunk.plan.name] * len(ids)),
        "kind": pa.array([chunk.plan.kind] * len(ids)), "night": np.full(len(ids), chunk.plan.night),
    })  # fmt: skip


def payments(
    block: Block, ids: pa.Array, fingerprint: pa.Array, method: str, card_country: pa.Array, first_seen: np.ndarray
) -> None:
    block.add("payments", {
        "account_id": ids, "payment_fingerprint": fingerprint, "method_type": pa.array([method] * len(ids)),
        "card_country": card_country, "first_seen": iso_times(first_seen),
    })  # fmt: skip
