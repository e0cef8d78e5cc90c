"""Benign groups, including the look-alikes a ban list must spare: enterprise seats, households, carrier NAT and
VPN users, users of one popular coding tool, classroom and hackathon sign-up bursts, the other customers of a farm's
proxy reseller; and the twins of the farms that adapted: users of a viral prompt a farm also sends, companies with no
org id (a heavy-use content agency, a small firm) and a campus that asks a farm's curriculum. One function per kind.

Each function builds one chunk of its group. What members share (an org's card, a household's IP, a carrier's
NAT pool) comes from the group's own random stream, so every chunk and every night sees the same values.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios import prompts
from linkage.scenarios.common import (
    BROWSERS,
    NEW_MODEL,
    POPULAR,
    POPULAR_P,
    Activity,
    Block,
    Chunk,
    RowFn,
    accounts_and_truth,
    benign_models,
    benign_output,
    constant,
    countries,
    either,
    emails,
    emit_activity,
    payments,
    per_member,
    pool_ips,
    residential_ips,
    shared_pool,
    times,
)
from linkage.scenarios.farms import proxy_infra
from linkage.scenarios.values import concat, hex_strings, ipv4, pick

DAY = 86_400
TOOL_AGENT = "Quillcode/2.3.1 (vscode; extension-host)"
# raw test card numbers (public test PANs, Luhn-valid): the loaders must reject and mask them
RAW_CARDS = ["4111111111111111", "5555555555554444", "378282246310005"]


def _homes(chunk: Chunk, rng: np.random.Generator, n: int) -> pa.Array:
    """Home addresses; one in ten is IPv6 (its own /48)."""
    v4 = ipv4(residential_ips(rng, n))
    groups = [hex_strings(rng.integers(0, 1 << 62, n, dtype=np.int64).astype(np.uint64), 4) for _ in range(4)]
    v6 = concat("2a02:", groups[0], ":", groups[1], ":", groups[2], "::", groups[3])
    return pc.if_else(pa.array(rng.random(n) < 0.1), v6, v4)


def _mixed_ip(primary: pa.Array, secondary: pa.Array, share: float) -> RowFn:
    """Each session uses the member's primary address, or with ``share`` its secondary one."""

    def make(rng: np.random.Generator, rows: np.ndarray) -> pa.Array:
        taken = pa.array(rows)
        return pc.if_else(pa.array(rng.random(len(rows)) < share), secondary.take(taken), primary.take(taken))

    return make


def _pool_or_home(pool: np.ndarray, homes: pa.Array, pool_share: float) -> RowFn:
    """Sessions through a shared pool (NAT, VPN, campus) with ``pool_share``, otherwise from home."""

    def make(rng: np.random.Generator, rows: np.ndarray) -> pa.Array:
        shared = ipv4(pool[rng.integers(0, len(pool), len(rows))])
        return pc.if_else(pa.array(rng.random(len(rows)) < pool_share), shared, homes.take(pa.array(rows)))

    return make


def _devices(chunk: Chunk) -> pa.Array:
    return chunk.token("dev_", "device", np.arange(chunk.lo, chunk.hi))


def _cards(chunk: Chunk, block: Block, ids: pa.Array, created: np.ndarray,
           country: pa.Array, share: float) -> None:  # fmt: skip
    """Own cards for ``share`` of the members (a free tier needs none); own stream, as it runs on one night only."""
    has = chunk.rng("cards").random(chunk.n) < share
    take = pa.array(np.flatnonzero(has))
    fingerprints = chunk.token("fp_", "card", np.arange(chunk.lo, chunk.hi)).take(take)
    payments(block, ids.take(take), fingerprints, "card", country.take(take), created[has])


def _benign_activity(chunk: Chunk, created: np.ndarray, ip: RowFn, agents: pa.Array, scale: float,
                     text: RowFn | None = None) -> Activity:  # fmt: skip
    rng = chunk.rng("activity")
    devices = _devices(chunk)
    voice = chunk.voice()
    return Activity(
        created=created,
        sessions=1 + rng.poisson(2, chunk.n),
        prompts=np.minimum(rng.geometric(1 / scale, chunk.n), 300),
        ip=ip,
        device=per_member(devices),
        user_agent=per_member(agents),
        text=text or (lambda r, rows: voice.benign(r, rows)),
        output=lambda r, rows: benign_output(r, len(rows)),
        model=lambda r, rows: benign_models(r, len(rows), chunk.night),
    )


def _created(chunk: Chunk, rng: np.random.Generator, days_back: int) -> np.ndarray:
    lo, hi = chunk.scenario.night_window(chunk.plan.night)
    return times(rng, chunk.n, lo - days_back * DAY if chunk.plan.night == 1 else lo, hi)


def background(chunk: Chunk) -> Block:
    """Independent users: popular providers, their own home IPs and cards, diverse prompts."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    created, country = _created(chunk, rng, 400), countries(rng, chunk.n)
    email = emails(rng, chunk.n, POPULAR, POPULAR_P)
    home, mobile = _homes(chunk, rng, chunk.n), _homes(chunk, rng, chunk.n)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    if not chunk.returning:
        accounts_and_truth(chunk, block, ids, created, email, country)
        _cards(chunk, block, ids, created, country, 0.8)
    emit_activity(chunk, block, ids, _benign_activity(chunk, created, _mixed_ip(home, mobile, 0.2), agents, 8))
    if chunk.chunk == 0 and chunk.plan.name.endswith("_1") and not chunk.returning:
        _malformed(chunk, block, ids)
    return block


def _malformed(chunk: Chunk, block: Block, ids: pa.Array) -> None:
    """A few rows the loaders must reject (raw card numbers, bad IPs and timestamps, negative counts), attached to
    accounts that exist so nothing else is lost."""
    owners = ids.slice(0, 3)
    lo, _ = chunk.window()
    payments(block, owners, pa.array(RAW_CARDS), "card", pa.array(["US"] * 3), np.full(3, lo))
    block.add("sessions", {
        "account_id": owners.slice(0, 2).to_pylist() * 2, "ip": ["999.12.4.1", "not-an-ip", "81.2.3.4", "81.2.3.5"],
        "ts": ["2026-11-01T03:00:00Z", "2026-11-01T03:00:00Z", "2026-13-45T99:61:00Z", "yesterday"],
        "user_agent": [BROWSERS[0]] * 4, "device_id": ["dev_malformed"] * 4,
    })  # fmt: skip
    block.add("prompts", {
        "account_id": owners.slice(0, 2),
        "request_id": [f"req_malformed_{chunk.night}_1", f"req_malformed_{chunk.night}_2"],
        "ts": ["not a time", "2026-11-01T04:00:00Z"],
        "prompt": ["How do I bake bread?", "What is a good name for a cat?"],
        "model": ["model-large"] * 2, "input_tokens": [5, 8], "output_tokens": [120, -5],
    })  # fmt: skip


def household(chunk: Chunk) -> Block:
    """Families of 2-5: one card, one home IP, sometimes one shared laptop; otherwise ordinary users."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("homes")
    sizes = g.integers(2, 6, chunk.plan.size)
    home_of = np.repeat(np.arange(len(sizes)), sizes)[: chunk.plan.size][chunk.lo : chunk.hi]
    homes = ipv4(residential_ips(g, len(sizes)))
    cards = chunk.token("fp_", "home_card", home_of)
    created, country = _created(chunk, rng, 400), countries(rng, chunk.n)
    if not chunk.returning:
        accounts_and_truth(
            chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, POPULAR, POPULAR_P), country
        )
        payments(block, ids, cards, "card", country, created)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    home = homes.take(pa.array(home_of))
    activity = _benign_activity(chunk, created, _mixed_ip(home, _homes(chunk, rng, chunk.n), 0.15), agents, 8)
    shared_laptop = chunk.token("dev_", "home_device", home_of)
    own = _devices(chunk)
    activity.device = lambda r, rows: pc.if_else(pa.array(r.random(len(rows)) < 0.3), shared_laptop.take(
        pa.array(rows)), own.take(pa.array(rows)))  # fmt: skip
    emit_activity(chunk, block, ids, activity)
    return block


class _Org(NamedTuple):
    word: str
    domain: str
    nat_cidr: str
    nat: np.ndarray
    org_id: str


def org_infra(chunk: Chunk) -> _Org:
    """What an enterprise's seats share: the org, its corporate domain, its NAT egress /24 and 1-3 addresses."""
    g = chunk.group_rng("org")
    word = str(g.choice(prompts.NAMES))
    domain = f"{word}-{g.choice(['systems', 'labs', 'logistics', 'health', 'media', 'analytics'])}.com"
    octets = [int(g.choice([12, 38, 63, 64, 66, 199, 204, 206])), int(g.integers(0, 256)), int(g.integers(0, 256))]
    nat = pool_ips(g, [(octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8)], int(g.integers(1, 4)))
    org_id = chunk.token("org_", "org", np.zeros(1, dtype=np.int64))[0].as_py()
    return _Org(word, domain, "{}.{}.{}.0/24".format(*octets), nat, org_id)


def enterprise(chunk: Chunk) -> Block:
    """Seats of one org: its card, 1-3 NAT egress IPs in one /24, a corporate domain, templated internal prompts."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    org, g, voice = org_infra(chunk), chunk.group_rng("seats"), chunk.voice()
    templates = voice.org_templates(chunk.group_rng("templates"), org.word.capitalize())
    card = chunk.token("fp_", "org_card", np.zeros(chunk.n, dtype=np.int64))
    lo, hi = chunk.scenario.night_window(chunk.plan.night)
    onboarding = int(g.integers(lo - 300 * DAY, lo - 30 * DAY))
    created = np.where(rng.random(chunk.n) < 0.4, onboarding + rng.integers(0, 8 * 3600, chunk.n),
                       times(rng, chunk.n, onboarding, hi))  # fmt: skip
    country = pick([str(g.choice(["US", "GB", "DE", "FR", "JP"]))], np.zeros(chunk.n, dtype=np.int64))
    if not chunk.returning:
        org_ids = pa.array([org.org_id] * chunk.n)
        accounts_and_truth(
            chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, [org.domain]), country, org_ids
        )
        payments(block, ids, card, "card", country, created)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    homes = _homes(chunk, rng, chunk.n)
    emit_activity(chunk, block, ids, _benign_activity(
        chunk, created, _pool_or_home(org.nat, homes, 0.85), agents, 15,
        text=lambda r, rows: voice.enterprise(r, rows, templates),
    ))  # fmt: skip
    return block


def carrier(chunk: Chunk) -> Block:
    return _shared_exit(chunk, "carrier", chunk.param("nat_share", 0.7))


def vpn(chunk: Chunk) -> Block:
    return _shared_exit(chunk, "vpn", 0.8)


def _shared_exit(chunk: Chunk, kind: str, share: float) -> Block:
    """Unrelated users behind a few shared addresses; everything else about them is independent."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    created, country = _created(chunk, rng, 400), countries(rng, chunk.n)
    if not chunk.returning:
        accounts_and_truth(
            chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, POPULAR, POPULAR_P), country
        )
        _cards(chunk, block, ids, created, country, 0.7)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    ip = _pool_or_home(shared_pool(chunk, kind), _homes(chunk, rng, chunk.n), share)
    emit_activity(chunk, block, ids, _benign_activity(chunk, created, ip, agents, 8))
    return block


def tool(chunk: Chunk) -> Block:
    """Users of one popular coding tool: the tool's fixed template around each user's own question."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    created, country = _created(chunk, rng, 400), countries(rng, chunk.n)
    if not chunk.returning:
        accounts_and_truth(
            chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, POPULAR, POPULAR_P), country
        )
        _cards(chunk, block, ids, created, country, 0.85)
    homes, voice = _homes(chunk, rng, chunk.n), chunk.voice()
    activity = _benign_activity(chunk, created, _mixed_ip(homes, _homes(chunk, rng, chunk.n), 0.2), homes, 20,
        text=lambda r, rows: pc.if_else(pa.array(r.random(len(rows)) < 0.75), voice.tool(r, rows),
                                        voice.benign(r, rows)),
    )  # fmt: skip
    activity.user_agent = constant(TOOL_AGENT)
    if chunk.returning:  # the tool moved every user to the new model at once: lockstep that is nobody's plot
        activity.model = constant(NEW_MODEL)
    emit_activity(chunk, block, ids, activity)
    return block


def classroom(chunk: Chunk) -> Block:
    """A class or hackathon signing up within one hour: one university domain, often the campus IP, homework
    prompts (which ask for steps more often than most). A randomised class signs up within minutes on one campus IP
    and sends one homework template that asks for the steps, in its language, with moderate outputs."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("campus")
    domain = chunk.param("domain", "univ-{}.edu").format(g.choice(prompts.NAMES))
    campus = pool_ips(g, [(int(g.choice([128, 129, 130, 131, 141])) << 24) | int(g.integers(0, 1 << 16)) << 8],
                      chunk.drawn("campus_ips", lambda: int(g.integers(1, 3))))  # fmt: skip
    lo, hi = chunk.scenario.night_window(chunk.plan.night)
    start = int(g.integers(lo - 60 * DAY, lo - DAY)) if chunk.plan.night == 1 else int(g.integers(lo, hi - 3600))
    created = start + rng.integers(0, chunk.param("signup_seconds", 3600), chunk.n)
    country = pick([str(g.choice(["US", "GB", "DE", "IN", "BR"]))], np.zeros(chunk.n, dtype=np.int64))
    if not chunk.returning:
        accounts_and_truth(chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, [domain]), country)
        _cards(chunk, block, ids, created, country, 0.2)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    on_campus = g.random() < chunk.param("on_campus", 0.7)
    ip = _pool_or_home(campus, _homes(chunk, rng, chunk.n), chunk.param("campus_share", 0.6) if on_campus else 0.0)
    activity = _benign_activity(chunk, created, ip, agents, 6, text=_class_prompts(chunk))
    if "output_median" in chunk.plan.params:  # moderate answers: longer than a chat's, far shorter than a farm's
        median = np.log(chunk.param("output_median", 400))
        activity.output = lambda r, rows: np.clip(r.lognormal(median, 0.5, len(rows)), 20, 4000).astype(np.int64)
    emit_activity(chunk, block, ids, activity)
    return block


def _class_prompts(chunk: Chunk) -> RowFn:
    """Everyday requests that ask for steps a fifth of the time; a randomised class also sends its one homework
    template (``homework_share`` of its prompts), slot-filled with curriculum questions."""
    voice = chunk.voice()
    if "homework_share" not in chunk.plan.params:
        return lambda r, rows: voice.benign(r, rows, cot_share=0.2)
    homework = [voice.homework(chunk.group_rng("homework"), chunk.plan.name)]
    share = chunk.param("homework_share", 0.5)

    def text(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        templated = voice.templated(r, homework, np.zeros(len(rows), dtype=np.int64))
        return pc.if_else(pa.array(r.random(len(rows)) < share), templated, voice.benign(r, rows))

    return text


def proxy_customers(chunk: Chunk) -> Block:
    """A proxy reseller's other customers: ordinary users (own cards, devices and browsers, everyday prompts) who send
    part of their sessions through the datacenter proxies a farm uses, and other hosts of its /24s."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    farm_plan = chunk.plans[str(chunk.plan.params["farm"])]
    infra = proxy_infra(Chunk(chunk.scenario, farm_plan, chunk.plans, 0, 0, farm_plan.size, farm_plan.night))
    g = chunk.group_rng("proxies")
    others = np.array(infra.subnets, dtype=np.uint64)[g.integers(0, len(infra.subnets), max(1, len(infra.ips) // 4))]
    proxies = np.concatenate([infra.ips, others + g.integers(1, 255, len(others)).astype(np.uint64)])
    created, agents = _ordinary_users(chunk, block, ids, rng)
    ip = _pool_or_home(proxies, _homes(chunk, rng, chunk.n), chunk.param("proxy_share", 0.3))
    emit_activity(chunk, block, ids, _benign_activity(chunk, created, ip, agents, 8))
    return block


def _ordinary_users(chunk: Chunk, block: Block, ids: pa.Array, rng: np.random.Generator) -> tuple[np.ndarray, pa.Array]:
    """Independent users: sign-ups over 400 days, popular e-mail, their own cards (or a household's), browsers.
    Returns when each signed up and the client string of each."""
    created, country = _created(chunk, rng, 400), countries(rng, chunk.n)
    if not chunk.returning:
        email = emails(chunk.rng("emails"), chunk.n, POPULAR, POPULAR_P)
        accounts_and_truth(chunk, block, ids, created, email, country)
        _cards(chunk, block, ids, created, country, 0.8)
    return created, pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))


def viral(chunk: Chunk) -> Block:
    """Ordinary independent users (own cards, homes, devices, browsers, popular e-mail, ordinary volume and outputs)
    who paste a viral chain-of-thought prompt around their own questions in a share of their requests: word for word
    one family of a farm of the scenario (the farm borrowed the text, or the text went viral)."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    created, agents = _ordinary_users(chunk, block, ids, rng)
    homes, voice = _homes(chunk, rng, chunk.n), chunk.voice()
    prompt, share = viral_prompt(chunk), chunk.param("viral_share", 0.3)

    def text(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        pasted = pa.array(r.random(len(rows)) < share)
        return pc.if_else(pasted, voice.pasted(r, rows, prompt), voice.benign(r, rows))

    ip = _mixed_ip(homes, _homes(chunk, rng, chunk.n), 0.2)
    emit_activity(chunk, block, ids, _benign_activity(chunk, created, ip, agents, 8, text=text))
    return block


def viral_prompt(chunk: Chunk) -> str:
    """The viral wording: the first paraphrase of family ``family`` of the proxy farm ``farm`` (with its ``{q}``)."""
    farm = chunk.plans[str(chunk.plan.params["farm"])]
    infra = proxy_infra(Chunk(chunk.scenario, farm, chunk.plans, 0, 0, farm.size, farm.night))
    return infra.families[chunk.param("family", 0)].variants[0]


class Office(NamedTuple):
    """What a company without an org id shares: its name, its own e-mail domain, its office IP(s) in one /24."""

    word: str
    domain: str
    ips: np.ndarray


# the e-mail domains of companies with no org id: word-suffix.com (enterprises use other suffixes)
_OFFICE_SUFFIXES = {"agency": ("studio", "content", "creative", "copy"),
                    "small_firm": ("partners", "consulting", "associates", "works")}  # fmt: skip


def office_infra(chunk: Chunk) -> Office:
    g = chunk.group_rng("office")
    word = str(g.choice(prompts.NAMES))
    domain = f"{word}-{g.choice(_OFFICE_SUFFIXES[chunk.plan.builder])}.com"
    subnet = (int(g.choice([12, 38, 63, 64, 66, 199, 204, 206])) << 24) | int(g.integers(0, 1 << 16)) << 8
    return Office(word, domain, pool_ips(g, [subnet], chunk.param("office_ips", 1)))


def agency(chunk: Chunk) -> Block:
    """A content agency with no org id: 20-40 long-standing seats on the office card and the office IP(s), a
    company domain of its own, one internal copywriting system prompt in most requests, and long outputs at a farm's
    volume: heavy use by one paying customer's team."""
    return _office(chunk, heavy=True)


def small_firm(chunk: Chunk) -> Block:
    """A small firm with no org id: 5-15 staff on the office card and office IP, a company domain, an internal
    template in some requests, ordinary volume."""
    return _office(chunk, heavy=False)


def _office(chunk: Chunk, heavy: bool) -> Block:
    """Seats of a company without an org id: one office card (not prepaid), every seat at the office IP(s) (homes
    for ``home_share`` of later sessions), the company's own domain, its internal template(s), one or two browsers;
    created ``newest_days``-``oldest_days`` days before the night."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    office, g, voice = office_infra(chunk), chunk.group_rng("seats"), chunk.voice()
    name = office.word.capitalize()
    template = voice.copy_template(g, name) if heavy else voice.org_templates(g, name)[0]
    lo, _ = chunk.scenario.night_window(chunk.plan.night)
    created = lo - rng.integers(chunk.param("newest_days", 180) * DAY, chunk.param("oldest_days", 720) * DAY, chunk.n)
    country = pick([str(g.choice(["US", "GB", "DE", "FR", "ES", "BR", "IN"]))], np.zeros(chunk.n, dtype=np.int64))
    if not chunk.returning:
        email = emails(chunk.rng("emails"), chunk.n, [office.domain])
        accounts_and_truth(chunk, block, ids, created, email, country)
        payments(block, ids, chunk.token("fp_", "office_card", np.zeros(chunk.n)), "card", country, created)
    browsers = [str(b) for b in g.choice(BROWSERS[:6], chunk.param("clients", 1), replace=False)]
    agents = pick(browsers, rng.integers(0, len(browsers), chunk.n))
    ip = _office_or_home(office.ips, _homes(chunk, rng, chunk.n), chunk.param("home_share", 0.1))
    share = chunk.param("template_share", 0.5)

    def text(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        internal = pa.array(r.random(len(rows)) < share)
        return pc.if_else(internal, voice.briefed(r, rows, template), voice.benign(r, rows))

    activity = _benign_activity(chunk, created, ip, agents, 10, text=text)
    if heavy:  # a farm's volume and output lengths, for its internal requests
        activity.sessions = rng.integers(3, 11, chunk.n)
        activity.prompts = rng.integers(chunk.param("requests_lo", 60), chunk.param("requests_hi", 200), chunk.n)
        longest = (chunk.param("output_lo", 1500), chunk.param("output_hi", 4000))
        activity.output = lambda r, rows: np.where(r.random(len(rows)) < share, r.integers(*longest, len(rows)),
                                                   benign_output(r, len(rows)))  # fmt: skip
    emit_activity(chunk, block, ids, activity)
    return block


def _office_or_home(office: np.ndarray, homes: pa.Array, home_share: float) -> RowFn:
    """Every member's first session of the night at the office, later ones from home with ``home_share``."""

    def make(rng: np.random.Generator, rows: np.ndarray) -> pa.Array:
        first = np.r_[True, rows[1:] != rows[:-1]] if len(rows) else np.zeros(0, dtype=bool)
        at_home = pa.array((rng.random(len(rows)) < home_share) & ~first)
        return pc.if_else(at_home, homes.take(pa.array(rows)), ipv4(office[rng.integers(0, len(office), len(rows))]))

    return make


def campus(chunk: Chunk) -> Block:
    """A campus whose homework asks what a farm asks: 100-300 students at one .edu domain, the campus IPs for most
    sessions and homes for the rest, own cards (some a household's, shared with a sibling), sign-ups over a term or
    in one burst for a new class, and homework that wraps the farms' curriculum questions in chain-of-thought wording
    each student words afresh (the paraphrase grammar, redrawn per request), with moderate-to-long outputs."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("campus")
    domain = f"{g.choice(prompts.NAMES)}.edu"
    subnet = (int(g.choice([128, 129, 130, 131, 141])) << 24) | int(g.integers(0, 1 << 16)) << 8
    ips = pool_ips(g, [subnet], chunk.param("campus_ips", 2))
    lo, _ = chunk.scenario.night_window(chunk.plan.night)
    span = chunk.param("signup_seconds", 90 * DAY)
    start = int(g.integers(lo - span - 60 * DAY, lo - span))
    created = start + rng.integers(0, span, chunk.n)
    country = pick([str(g.choice(["US", "GB", "DE", "FR", "IN", "BR", "CN", "RU", "ES"]))],
                   np.zeros(chunk.n, dtype=np.int64))  # fmt: skip
    if not chunk.returning:
        accounts_and_truth(chunk, block, ids, created, emails(chunk.rng("emails"), chunk.n, [domain]), country)
        _student_cards(chunk, block, ids, created, country)
    agents = pick(BROWSERS, rng.integers(0, len(BROWSERS), chunk.n))
    ip = _pool_or_home(ips, _homes(chunk, rng, chunk.n), chunk.param("campus_share", 0.7))
    voice, share = chunk.voice(), chunk.param("homework_share", 0.5)

    def text(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        homework = r.random(len(rows)) < share
        return either(r, rows, homework, lambda r, rows: voice.paraphrased(r, len(rows)), voice.benign)

    activity = _benign_activity(chunk, created, ip, agents, chunk.param("requests_mean", 8), text=text)
    median = np.log(chunk.param("output_median", 800))
    activity.output = lambda r, rows: np.clip(r.lognormal(median, 0.6, len(rows)), 20, 6000).astype(np.int64)
    emit_activity(chunk, block, ids, activity)
    return block


def _student_cards(chunk: Chunk, block: Block, ids: pa.Array, created: np.ndarray, country: pa.Array) -> None:
    """Cards for ``card_share`` of the students: their own, or (``household_cards``) their household's, which the
    sibling next in the roll shares."""
    r = chunk.rng("cards")
    has = r.random(chunk.n) < chunk.param("card_share", 0.5)
    serials = np.arange(chunk.lo, chunk.hi)
    pairs = chunk.group_rng("households").random(chunk.plan.size // 2 + 1) < chunk.param("household_cards", 0.2)
    own = chunk.token("fp_", "card", serials)
    household = chunk.token("fp_", "home_card", serials // 2)
    cards = pc.if_else(pa.array(pairs[serials // 2]), household, own)
    take = pa.array(np.flatnonzero(has))
    payments(block, ids.take(take), cards.take(take), "card", country.take(take), created[has])
