"""`linkage eval`: how a ban list scores against a scenario's ground truth.

Precision, recall and F1 of ``decision == 'ban'`` against ``kind == 'coordinated'``; per ground-truth group, how many
accounts were banned or sent to review; the share of respawned accounts banned; and the benign groups with any ban
(the look-alikes a ban list is judged on first). Accounts absent from the ban list have no decision. Accounts the
scenario's own ``bans`` files list were banned before any run: they are neither credited nor missed (counted apart).
Conventions: with no ban at all precision is 1 (no false positive was made); with no coordinated account recall is 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from linkage.errors import ExitCode, LinkageError
from linkage.spreadsheet import unescape_formulas

BANLIST_COLUMNS = {"account_id", "decision"}
TRUTH_COLUMNS = {"account_id", "group", "kind", "night"}


class InvalidEvalInput(LinkageError):
    exit_code = ExitCode.INVALID_INPUT


class GroupEval(BaseModel):
    group: str
    kind: str
    size: int
    banned: int
    reviewed: int
    already_banned: int = 0


class GroupTypeEval(BaseModel):
    """All groups of one type (the group name without its number: ``farm_proxy``, ``benign_enterprise``…)."""

    group_type: str
    kind: str
    groups: int
    size: int
    banned: int
    reviewed: int
    groups_with_bans: int


class EvalResult(BaseModel):
    """The scores of one ban list against one ground truth."""

    accounts: int
    coordinated: int
    banned: int
    reviewed: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    respawn_recall: float | None  # None when the truth has no respawned account
    benign_groups_with_bans: list[str]
    decisions_outside_truth: int  # ban-list rows for accounts the truth does not know (e.g. a later night)
    already_banned: int  # banned before the run (the scenario's bans files): not scored
    reversed: int | None = None  # bans reversed on appeal (`linkage actions --json`, when given) ...
    reversed_coordinated: int | None = None  # ... of them, accounts the truth calls coordinated: wrong reversals
    group_types: list[GroupTypeEval]
    groups: list[GroupEval]


def _read(path: Path, required: set[str], what: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InvalidEvalInput(f"{what} {path} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidEvalInput(f"{what} {path} is not a readable CSV file: {exc}") from None
    missing = required - set(frame.columns)
    if missing:
        raise InvalidEvalInput(f"{what} {path} lacks the column(s) {', '.join(sorted(missing))}")
    return frame


def known_bans(truth_csv: Path, night: int | None = None) -> set[str]:
    """Accounts the scenario's batch folders beside ``truth_csv`` list as already banned (``nightN/bans.*``)."""
    found: set[str] = set()
    for folder in sorted(truth_csv.parent.glob("night*")):
        number = folder.name.removeprefix("night")
        if not number.isdigit() or (night is not None and int(number) > night):
            continue
        for name in ("bans.parquet", "bans.csv.gz", "bans.csv"):
            path = folder / name
            if path.exists():
                frame = pd.read_parquet(path) if name.endswith("parquet") else pd.read_csv(path, dtype=str)
                found |= set(frame["account_id"].astype(str))
    return found


def reversed_accounts(actions_json: Path) -> set[str]:
    """The accounts whose ban an appeal reversed, from the action log as `linkage actions --json` prints it."""
    try:
        log = json.loads(actions_json.read_text(encoding="utf-8"))
        return {str(entry["account_id"]) for entry in log if entry["action"] == "reverse"}
    except FileNotFoundError:
        raise InvalidEvalInput(f"The action log {actions_json} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, KeyError) as exc:
        raise InvalidEvalInput(f"The action log {actions_json} is not `linkage actions --json` output: {exc}") from None


def evaluate(
    banlist_csv: Path,
    truth_csv: Path,
    night: int | None = None,
    already_banned: Iterable[str] = (),
    reversed_ids: set[str] | None = None,
) -> EvalResult:
    """Scores ``banlist_csv`` against ``truth_csv``; with ``night``, only accounts that existed by that night;
    ``already_banned`` accounts (banned before the run) are left out of the scores; ``reversed_ids`` (bans reversed on
    appeal) are counted, and those the truth calls coordinated apart."""
    truth = _read(truth_csv, TRUTH_COLUMNS, "The truth file")
    if night is not None:
        truth = truth[pd.to_numeric(truth["night"], errors="coerce") <= night]
    prior_ids = set(already_banned)
    before = truth["account_id"].isin(prior_ids)
    prior = truth[before].groupby("group").size()
    truth = truth[~before]
    banlist = _read(banlist_csv, BANLIST_COLUMNS, "The ban list")
    banlist["account_id"] = unescape_formulas(banlist["account_id"])  # as written for spreadsheets
    decision = banlist["decision"].str.strip().str.lower()
    banned_ids = set(banlist.loc[decision == "ban", "account_id"])
    reviewed_ids = set(banlist.loc[decision == "review", "account_id"]) - banned_ids

    frame = truth[["account_id", "group", "kind"]].drop_duplicates("account_id").copy()
    frame["banned"] = frame["account_id"].isin(banned_ids)
    frame["reviewed"] = frame["account_id"].isin(reviewed_ids)
    coordinated = frame["kind"].str.strip().str.lower() == "coordinated"
    tp = int((frame["banned"] & coordinated).sum())
    fp = int((frame["banned"] & ~coordinated).sum())
    fn = int((~frame["banned"] & coordinated).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    per_group = frame.groupby(["group", "kind"], sort=True).agg(
        size=("account_id", "size"), banned=("banned", "sum"), reviewed=("reviewed", "sum")
    )
    groups = [
        GroupEval(
            group=str(r["group"]),
            kind=str(r["kind"]),
            size=int(r["size"]),
            banned=int(r["banned"]),
            reviewed=int(r["reviewed"]),
            already_banned=int(prior.get(r["group"], 0)),
        )
        for r in per_group.reset_index().to_dict("records")
    ]
    respawn = frame[frame["group"].str.startswith("respawn")]
    known = set(frame["account_id"])
    return EvalResult(
        accounts=len(frame),
        coordinated=int(coordinated.sum()),
        banned=int(frame["banned"].sum()),
        reviewed=int(frame["reviewed"].sum()),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=round(precision, 6),
        recall=round(recall, 6),
        f1=round(f1, 6),
        respawn_recall=round(float(respawn["banned"].mean()), 6) if len(respawn) else None,
        benign_groups_with_bans=[g.group for g in groups if g.kind != "coordinated" and g.banned > 0],
        decisions_outside_truth=len((banned_ids | reviewed_ids) - known - prior_ids),
        already_banned=int(before.sum()),
        reversed=None if reversed_ids is None else len(reversed_ids),
        reversed_coordinated=None
        if reversed_ids is None
        else int(frame.loc[coordinated, "account_id"].isin(reversed_ids).sum()),
        group_types=_group_types(groups),
        groups=groups,
    )


def _group_types(groups: list[GroupEval]) -> list[GroupTypeEval]:
    """Totals per group type: at a million accounts there are over a thousand groups, but a dozen types."""
    totals: dict[tuple[str, str], GroupTypeEval] = {}
    for g in groups:
        name = g.group.rsplit("_", 1)[0] if g.group.rsplit("_", 1)[-1].isdigit() else g.group
        t = totals.setdefault((name, g.kind), GroupTypeEval(
            group_type=name, kind=g.kind, groups=0, size=0, banned=0, reviewed=0, groups_with_bans=0
        ))  # fmt: skip
        t.groups += 1
        t.size += g.size
        t.banned += g.banned
        t.reviewed += g.reviewed
        t.groups_with_bans += int(g.banned > 0)
    return sorted(totals.values(), key=lambda t: (t.kind, t.group_type))
