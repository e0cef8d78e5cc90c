"""How much a shared value says, learnt from the graph itself: is sharing it *corroborated* by sharing of another kind?

A carrier NAT IP, a VPN exit or a popular tool's template is shared by hundreds of accounts that share nothing
else; a proxy farm's datacenter /24 is shared by accounts that also share cards, devices and a template family.
Rarity alone cannot tell them apart (a farm of 750 is as "common" as a NAT of 750), nor can membership in the same
community (communities are built from these very values). What tells them apart is whether the value's users
also share values of *other* kinds with each other more often than unrelated accounts would.

For two values v and w of different kinds used by n_v and n_w of the graph's N accounts, independent accounts
would share both about λ = n_v·n_w / N times (the term-frequency adjusted chance of a coincidence, as in
Fellegi-Sunter's u-probabilities): the overlap of the smaller value's users with the larger one's is binomial, with
as many trials as the smaller one has users and the larger one's share of the graph as the chance of each. An
overlap of o accounts is as unlikely as that binomial's tail P(X ≥ o), and its surprise is -log10 of it (where the
tail is too small for floating point, Chernoff's bound on it, exp(−(o·ln(o/λ) − o + λ)), stands in). A graph tests
as many overlaps as there are pairs of values some account uses together, and among M tests chance alone makes the
most surprising one about log10(M) decades unlikely: only surprise beyond that counts. An account's sharing of v is
*corroborated* to the degree of the most surprising overlap it is part of, scaled so that ``significance_decades``
decades beyond chance count fully. A value's weight is the mean corroboration of its users (FRAUDAR's
camouflage resistance: a popular value whose users are mostly unrelated weighs little however many coordinated
accounts hide among them) times one minus the share of its users in the largest organisation (an org's card or
office NAT is no evidence between its own seats). An account's org is its org id or, without one, its e-mail domain
when that domain is an organisation's own (:func:`organisations`): a busy team with no org id on the platform is
still one customer, and what it uses as a whole (the office card, the office line, the internal template) is no
evidence between its seats either. Synchrony corroborates too (SynchroTrap, CopyCatch): the window
an account signed up in and the window it switched to a model in are values that corroborate sharing of other
kinds and are never evidence. Nothing here is a per-kind constant: every weight comes from counts in tonight's
graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.stats import binom

# IP addresses and their subnets are one kind of evidence seen at two resolutions: never corroborate each other
KINDS = ("payment", "network", "device", "email", "template")
TIMING = "timing"  # sign-up windows: corroborate sharing of the other kinds, never evidence themselves
LOCKSTEP = "lockstep"  # model-switch windows: likewise, but not a template's sharing (see below)
HABIT = "habit"  # how an account asks (request gaps, output and prompt lengths): likewise, not a template's sharing
# kinds one cause can give together, so neither corroborates the other: a tool that moves its users to a new model
# moves them together, and they send its fixed prompt too; one sign-up and one switch are both a moment in time; a
# template makes its senders' prompts as long as it is
SAME_CAUSE = {("template", LOCKSTEP), (TIMING, LOCKSTEP), ("template", HABIT)}
_CATEGORIES = [*KINDS, TIMING, LOCKSTEP, HABIT]
INCIDENCE_COLUMNS = [
    "account_id",
    "node",
    "kind",
    "value",
    "org",
    "never_evidence",
    "created_s",
    "domain",
    "domain_accounts",
    "habit",
]
SWITCH_COLUMNS = ["account_id", "model", "window"]


@dataclass(frozen=True)
class OrgRule:
    """When an e-mail domain stands for an org (:func:`organisations`): ``office_share`` of its accounts share one
    card or one network (an address or its /24); and which values are then that org's own: those ``coverage`` of
    its accounts use."""

    office_share: float
    coverage: float


@dataclass
class Evidence:
    """Per value (``values``: node, kind, value, accounts, coherence, org_share, weight) and per account and value
    (``links``: account_id, node, kind, value, strength) what the sharing says; and the accounts whose org was
    inferred from their own e-mail domain (``orgs``: account_id, domain)."""

    values: pd.DataFrame
    links: pd.DataFrame
    orgs: pd.DataFrame


def surprise_decades(overlap: np.ndarray, users_v: np.ndarray, users_w: np.ndarray, accounts: int) -> np.ndarray:
    """How unlikely it is that ``overlap`` accounts use both of two values used by ``users_v`` and ``users_w`` of the
    graph's ``accounts`` accounts, when its accounts are independent: -log10 of the binomial tail P(X ≥ overlap)
    (trials: the smaller value's users; chance of each: the larger one's share of the graph). 0 where the overlap
    is no larger than chance. The exact tail, not a bound: Chernoff's bound undersells small complete overlaps (six
    accounts of a card that all send a farm's segment) by o·log10(e) decades, the most where evidence is scarcest."""
    o = overlap.astype(np.float64)
    trials = np.minimum(users_v, users_w).astype(np.float64)
    chance = np.minimum(np.maximum(users_v, users_w).astype(np.float64) / max(accounts, 1), 1.0)
    lam = np.maximum(trials * chance, 1e-12)
    above = o > lam
    tail = np.zeros(len(o))
    tail[above] = -binom.logsf(o[above] - 1, trials[above], chance[above])
    bound = np.where(above, o * np.log(np.maximum(o, 1e-12) / lam) - o + lam, 0.0)
    nats = np.where(np.isfinite(tail), np.maximum(tail, bound), bound)  # the bound where the tail underflows
    out: np.ndarray = nats / np.log(10.0)
    return out


def _pairs(incidence: pd.DataFrame) -> pd.DataFrame:
    """Every (account, v, w) where the account uses values v and w of different kinds (v's kind sorts first) that
    no one cause gives together (:data:`SAME_CAUSE`), on integer codes: at a million accounts there are tens of
    millions of such rows."""
    left = pd.DataFrame(
        {
            "account": incidence["account"].to_numpy(np.int64),
            "node": incidence["code"].to_numpy(np.int64),
            "kind": pd.Categorical(incidence["kind"], categories=_CATEGORIES).codes,
        }
    )
    pairs = left.merge(left, on="account", suffixes=("_v", "_w"))
    pairs = pairs[pairs["kind_v"] < pairs["kind_w"]]
    for kind_v, kind_w in SAME_CAUSE:
        v, w = _CATEGORIES.index(kind_v), _CATEGORIES.index(kind_w)
        pairs = pairs[(pairs["kind_v"] != v) | (pairs["kind_w"] != w)]
    return pairs


def _account_rows(
    accounts: pd.DataFrame, nodes: pd.Series, size: pd.Series, kind: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Rows of a corroborating ``kind``: each of ``accounts`` has the value ``nodes`` names, which ``size`` accounts
    of the whole graph have. Only values at least two accounts of the graph share; returns the rows and each value's
    size."""
    shared = (size >= 2).to_numpy()
    rows = pd.DataFrame(
        {"account_id": accounts["account_id"], "account": accounts["account"], "node": nodes, "kind": kind,
         "value": "", "org": None, "never_evidence": False}
    )[shared]  # fmt: skip
    return rows, pd.Series(size.to_numpy(), index=nodes.to_numpy())[shared].groupby(level=0).first()


def signup_windows(incidence: pd.DataFrame, window_counts: pd.Series, hours: float) -> tuple[pd.DataFrame, pd.Series]:
    """Synchrony as values (SynchroTrap's time windows): each account's sign-up window, a value of kind ``timing``
    that corroborates other sharing but is never evidence itself (a class signs up together too). ``window_counts``
    holds how many accounts of the whole graph each window has (window number -> accounts)."""
    accounts = incidence.dropna(subset=["created_s"]).drop_duplicates("account")
    window = (accounts["created_s"] // int(hours * 3600)).astype("int64")
    size = window.map(window_counts).fillna(0).astype("int64")
    return _account_rows(accounts, "signup:" + window.astype(str), size, TIMING)


def habits(incidence: pd.DataFrame, habit_counts: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """How each account asks (:func:`linkage.similarity.features.habits`) as a value of kind ``habit``: like a
    sign-up window it corroborates other sharing and is never evidence itself (thousands of people ask alike).
    ``habit_counts`` holds how many accounts of the whole graph have each habit."""
    accounts = incidence.dropna(subset=["habit"]).drop_duplicates("account")
    size = accounts["habit"].map(habit_counts).fillna(0).astype("int64")
    return _account_rows(accounts, "habit:" + accounts["habit"].astype(str), size, HABIT)


def model_switches(incidence: pd.DataFrame, switches: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Lockstep as values (CopyCatch): accounts that switched to the same model in the same window (``switches``:
    every switch of the graph, :data:`SWITCH_COLUMNS`) share that window, a value of kind ``lockstep`` that, like
    a sign-up window, corroborates and is never evidence. Weighed against every account of the graph that switched
    then: a release day on which thousands switch is no surprise, a dozen who share a card and switch on the same
    quiet day are. Returns the rows of the accounts in ``incidence`` and each of their windows' size."""
    nodes = "switch:" + switches["model"].astype(str) + ":" + switches["window"].astype("int64").astype(str)
    size = nodes.map(nodes.value_counts())
    codes = incidence.drop_duplicates("account_id").set_index("account_id")["account"]
    mine = (switches["account_id"].isin(codes.index) & (size >= 2)).to_numpy()
    rows = pd.DataFrame(
        {"account_id": switches["account_id"], "account": switches["account_id"].map(codes), "node": nodes,
         "kind": LOCKSTEP, "value": "", "org": None, "never_evidence": False}
    )[mine].sort_values(["node", "account_id"], ignore_index=True)  # fmt: skip
    return rows, pd.Series(size.to_numpy(), index=nodes.to_numpy())[mine].groupby(level=0).first()


def pools(frame: pd.DataFrame, below: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Infrastructure pools as values: accounts linked, directly or in a chain, by cards, addresses or devices that
    each fewer than ``below`` accounts share, one pool per kind. A residential proxy pool hands each address to one
    or two of a farm's accounts and a prepaid pool each card to a few: no value alone is shared widely enough for its
    overlap with the farm's prompts to be a surprise, but the pool as a whole is shared by the whole farm. A pool of
    at least ``below`` accounts is a value of its kind (so it never corroborates its own members' values): like a
    sign-up window it corroborates and is never evidence itself, and each member's values in it are corroborated at
    least as much as the member's sharing of the pool (:func:`weigh`). Households link the same few people and
    never reach ``below``; an ISP's customers whom a chain of re-used addresses joins share nothing else, so their
    pool's overlaps are chance.

    Returns the pool rows (one per account and pool), each pool's size, and per row of ``frame`` its pool (NaN
    outside pools)."""
    users = frame.groupby("node")["account"].transform("size")
    small = frame["kind"].isin(["payment", "network", "device"]) & ~frame["never_evidence"] & (users < below)
    members = frame[small]
    holder = pd.factorize(pd.MultiIndex.from_arrays([members["account"], members["kind"]]))[0]
    holders = members.drop_duplicates(["account", "kind"])  # in the order of their codes, as factorize numbers them
    value, values = pd.factorize(members["node"])
    edges = coo_matrix((np.ones(len(members)), (holder, len(holders) + value)),
                       shape=(len(holders) + len(values),) * 2)  # fmt: skip
    component = connected_components(edges, directed=False)[1][: len(holders)]
    big = np.bincount(component)[component] >= below if len(component) else np.zeros(0, bool)
    pool = np.char.add("pool:", component.astype(str)).astype(object)
    pool[~big] = None
    rows = holders[["account_id", "account", "kind"]].assign(node=pool, value="", org=None, never_evidence=False)[big]
    of_row = pd.Series(pool[holder], index=members.index, dtype=object).reindex(frame.index)
    return rows.reset_index(drop=True), rows.groupby("node").size(), of_row


def organisations(frame: pd.DataFrame, rule: OrgRule) -> pd.DataFrame:
    """Each incidence row's org (``org``) and, for an org inferred from an e-mail domain, how many accounts use that
    domain (``org_size``; NaN for an org id).

    Without an org id, accounts that openly share a domain of their own (not a disposable one: :data:`INCIDENCE_COLUMNS`
    carries no disposable domain) are one customer when most of them also share one card or one network (an address
    or its /24): an office pays for its seats on one card and reaches the service through its own line, a campus
    through its own addresses. A webmail provider's users share no single card or network; a farm hides behind
    webmail or throwaway domains and splits itself over pools of cards and proxies. Nothing here lists domains: a
    domain is an org's when its own users say so."""
    org = frame["org"].astype(object)
    org_size = pd.Series(np.nan, index=frame.index)
    own = frame[org.isna() & frame["domain"].notna()]
    office = own[own["kind"].isin(["payment", "network"])]
    if office.empty:
        return frame.assign(org=org, org_size=org_size)
    largest = office.groupby(["domain", "node"])["account_id"].nunique().groupby(level="domain").max()
    accounts = own.groupby("domain")["domain_accounts"].max().reindex(largest.index)
    inferred = largest[(accounts >= 2) & (largest >= rule.office_share * accounts)].index
    rows = org.isna() & frame["domain"].isin(inferred)
    org[rows] = "domain:" + frame.loc[rows, "domain"].astype(str)
    org_size[rows] = frame.loc[rows, "domain_accounts"].astype(float)
    return frame.assign(org=org, org_size=org_size)


def _org_share(frame: pd.DataFrame, users: pd.Series, rule: OrgRule) -> pd.Series:
    """Per value, the share of its users in its largest org: only orgs it belongs to count, which for an org
    inferred from a domain means that ``rule.coverage`` of the org's accounts use it (a pool card that pays for a
    tenth of them is not the office's)."""
    members = (
        frame.dropna(subset=["org"])
        .groupby(["node", "org"])
        .agg(users=("account", "size"), org_size=("org_size", "first"))
    )
    own = members["org_size"].isna() | (members["users"] >= rule.coverage * members["org_size"])
    in_top_org = members.loc[own, "users"].groupby(level="node").max()
    return (in_top_org.reindex(users.index).fillna(0) / users).astype(float)


def _corroboration(incidence: pd.DataFrame, sizes: pd.Series, accounts: int, decades: float) -> pd.Series:
    """Per (account, value code): the surprise of the most surprising overlap of that value with a value of another
    kind the account also uses, beyond chance, as a share of ``decades`` (0 to 1). ``sizes``: how many accounts use
    each value code (the incidence counts, except for windows, which count every account of the graph)."""
    pairs = _pairs(incidence)
    users = sizes
    overlap = pairs.groupby(["node_v", "node_w"]).size().rename("overlap").reset_index()
    # every pair of values some account uses together is a test: among that many, chance alone makes the most
    # surprising overlap about log10(tests) decades unlikely, so only surprise beyond that is evidence
    chance = np.log10(max(len(overlap), 1))
    overlap = overlap[overlap["overlap"] >= 2]  # one account using both is no sharing between accounts
    users_v, users_w = users.reindex(overlap["node_v"]).to_numpy(), users.reindex(overlap["node_w"]).to_numpy()
    surprise = surprise_decades(overlap["overlap"].to_numpy(), users_v, users_w, accounts) - chance
    overlap["strength"] = np.clip(surprise / decades, 0.0, 1.0)
    scored = pairs.merge(overlap, on=["node_v", "node_w"])
    both = pd.concat(
        [
            scored[["account", "node_v", "strength"]].rename(columns={"node_v": "code"}),
            scored[["account", "node_w", "strength"]].rename(columns={"node_w": "code"}),
        ]
    )
    return both.groupby(["account", "code"])["strength"].max()


def weigh(
    incidence: pd.DataFrame,
    window_counts: pd.Series,
    accounts: int,
    decades: float,
    window_hours: float,
    org_rule: OrgRule,
    switches: pd.DataFrame | None = None,
    habit_counts: pd.Series | None = None,
    *,
    pool_below: int,
) -> Evidence:
    """Value weights and per-account strengths from ``incidence`` (one row per account and value used by at least
    two accounts, :data:`INCIDENCE_COLUMNS`) in a graph of ``accounts`` accounts, whose sign-up windows of
    ``window_hours`` hold ``window_counts`` accounts each (window number -> accounts), and whose accounts switched
    models as ``switches`` says (:func:`model_switches`; none when it is None), and whose habits ``habit_counts``
    accounts share each (:func:`habits`; none when it is None); orgs as ``org_rule`` infers them
    (:func:`organisations`); pools of values fewer than ``pool_below`` accounts share each as :func:`pools` finds
    them."""
    # one order whatever order the store returned the rows in: sums of floats depend on it, and a rerun after a
    # crash must weigh every value to the last bit as a clean run does
    frame = organisations(incidence.sort_values(["kind", "value", "account_id"], ignore_index=True), org_rule)
    frame["account"] = pd.factorize(frame["account_id"])[0]
    windows, window_sizes = signup_windows(frame, window_counts, window_hours)
    switched, switch_sizes = model_switches(frame, switches if switches is not None else pd.DataFrame(
        columns=SWITCH_COLUMNS))  # fmt: skip
    habitual, habit_sizes = habits(frame, habit_counts if habit_counts is not None else pd.Series(dtype="int64"))
    pooled, pool_sizes, pool_of_row = pools(frame, pool_below)
    tested = pd.concat([frame, windows, switched, habitual, pooled], ignore_index=True)
    codes, nodes = pd.factorize(tested["node"])
    tested["code"] = codes
    sizes = pd.Series(np.bincount(codes[: len(frame)], minlength=len(nodes)), dtype="int64")
    timing_sizes = pd.concat([window_sizes, switch_sizes, habit_sizes, pool_sizes]).astype("int64")
    sizes[nodes.get_indexer(timing_sizes.index)] = timing_sizes.to_numpy()
    corroborated = _corroboration(tested, sizes, max(accounts, 1), decades)
    frame["code"] = codes[: len(frame)]
    frame = frame.join(corroborated.rename("corroboration"), on=["account", "code"])
    frame["corroboration"] = frame["corroboration"].fillna(0.0)
    # a value of a pool is corroborated for its member at least as much as the member's sharing of the pool
    member = pool_of_row.dropna()
    pool_code = nodes.get_indexer(pd.Index(member.to_numpy()))
    lent = corroborated.reindex(pd.MultiIndex.from_arrays([frame.loc[member.index, "account"].to_numpy(), pool_code]))
    own = frame.loc[member.index, "corroboration"].to_numpy()
    frame.loc[member.index, "corroboration"] = np.maximum(own, lent.fillna(0.0).to_numpy())
    by_value = frame.groupby("node", sort=False)
    values = by_value.agg(kind=("kind", "first"), value=("value", "first"), accounts=("account", "size"),
                          coherence=("corroboration", "mean"), never_evidence=("never_evidence", "max"))  # fmt: skip
    values["org_share"] = _org_share(frame, values["accounts"], org_rule)
    values["weight"] = np.where(values["never_evidence"], 0.0, values["coherence"] * (1.0 - values["org_share"]))
    frame["strength"] = frame["corroboration"] * (1.0 - frame["node"].map(values["org_share"]))
    # a template's sharing is corroborated for each of its senders at least as much as over all its senders: a
    # paraphrasing farm's accounts carry little else to corroborate with one by one (one proxy IP among thousands, a
    # card two of them share), but the segment all of them send is corroborated as a whole; a popular tool's or a
    # viral prompt's senders are mostly unrelated, so its weight, and what it lends, stays small
    template = frame["kind"].eq("template").to_numpy()
    weight_of_code = values["weight"].reindex(nodes).to_numpy(dtype=float)  # by value code: no string lookups per row
    lent = np.maximum(frame["strength"].to_numpy(), weight_of_code[frame["code"].to_numpy()])
    frame["strength"] = np.where(template, lent, frame["strength"].to_numpy())
    frame.loc[frame["node"].map(values["never_evidence"]).astype(bool), "strength"] = 0.0
    links = frame.loc[frame["strength"] > 0, ["account_id", "node", "kind", "value", "strength"]]
    inferred = frame.loc[frame["org_size"].notna(), ["account_id", "domain"]].drop_duplicates("account_id")
    return Evidence(values=values.drop(columns="never_evidence").reset_index(), links=links.reset_index(drop=True),
                    orgs=inferred.reset_index(drop=True))  # fmt: skip
