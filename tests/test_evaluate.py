"""`evaluate()` on hand-made ban lists: exact precision, recall, F1 and per-group counts (no database needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from linkage.errors import ExitCode
from linkage.scenarios.evaluate import InvalidEvalInput, evaluate, known_bans, reversed_accounts

TRUTH = [
    # 6 coordinated (4 farm, 2 respawn), 6 benign (3 enterprise, 3 background)
    ("f1", "farm_proxy_1", "coordinated", 1),
    ("f2", "farm_proxy_1", "coordinated", 1),
    ("f3", "farm_proxy_1", "coordinated", 1),
    ("f4", "farm_proxy_1", "coordinated", 1),
    ("r1", "respawn_1", "coordinated", 2),
    ("r2", "respawn_1", "coordinated", 2),
    ("e1", "benign_enterprise_1", "benign", 1),
    ("e2", "benign_enterprise_1", "benign", 1),
    ("e3", "benign_enterprise_1", "benign", 1),
    ("b1", "benign_background_1", "benign", 1),
    ("b2", "benign_background_1", "benign", 1),
    ("b3", "benign_background_new_1", "benign", 2),
]


def _write(tmp_path: Path, rows: list[tuple[str, str]]) -> tuple[Path, Path]:
    truth = tmp_path / "truth.csv"
    pd.DataFrame(TRUTH, columns=["account_id", "group", "kind", "night"]).to_csv(truth, index=False)
    banlist = tmp_path / "banlist.csv"
    frame = pd.DataFrame(
        [(a, d, 0.9, "C-0001", "shares card fp_x with 3 accounts") for a, d in rows],
        columns=["account_id", "decision", "score", "cluster_id", "reasons"],
    )
    frame.to_csv(banlist, index=False)
    return banlist, truth


def test_exact_precision_recall_f1_and_group_counts(tmp_path: Path) -> None:
    # bans: f1 f2 f3 r1 (true) + e1 (false); reviews: f4, b1; r2 missed
    banlist, truth = _write(
        tmp_path, [("f1", "ban"), ("f2", "ban"), ("f3", "ban"), ("r1", "ban"), ("e1", "ban"), ("f4", "review"),
                   ("b1", "review"), ("zz", "ban")],
    )  # fmt: skip
    result = evaluate(banlist, truth)
    assert (result.true_positives, result.false_positives, result.false_negatives) == (4, 1, 2)
    assert result.precision == pytest.approx(4 / 5)
    assert result.recall == pytest.approx(4 / 6)
    assert result.f1 == pytest.approx(2 * 0.8 * (4 / 6) / (0.8 + 4 / 6), abs=1e-6)
    assert result.respawn_recall == pytest.approx(0.5)
    assert result.benign_groups_with_bans == ["benign_enterprise_1"]
    assert (result.accounts, result.coordinated, result.banned, result.reviewed) == (12, 6, 5, 2)
    assert result.decisions_outside_truth == 1
    groups = {g.group: (g.kind, g.size, g.banned, g.reviewed) for g in result.groups}
    assert groups == {
        "farm_proxy_1": ("coordinated", 4, 3, 1),
        "respawn_1": ("coordinated", 2, 1, 0),
        "benign_enterprise_1": ("benign", 3, 1, 0),
        "benign_background_1": ("benign", 2, 0, 1),
        "benign_background_new_1": ("benign", 1, 0, 0),
    }
    types = {t.group_type: (t.groups, t.size, t.banned, t.reviewed, t.groups_with_bans) for t in result.group_types}
    assert types == {
        "farm_proxy": (1, 4, 3, 1, 1),
        "respawn": (1, 2, 1, 0, 1),
        "benign_enterprise": (1, 3, 1, 0, 1),
        "benign_background": (1, 2, 0, 1, 0),
        "benign_background_new": (1, 1, 0, 0, 0),
    }


def test_perfect_ban_list_and_night_filter(tmp_path: Path) -> None:
    banlist, truth = _write(tmp_path, [(a, "ban") for a in ("f1", "f2", "f3", "f4", "r1", "r2")])
    result = evaluate(banlist, truth)
    assert (result.precision, result.recall, result.f1, result.respawn_recall) == (1.0, 1.0, 1.0, 1.0)
    assert result.benign_groups_with_bans == []
    night1 = evaluate(banlist, truth, night=1)
    assert (night1.accounts, night1.coordinated, night1.true_positives) == (9, 4, 4)
    assert night1.respawn_recall is None
    assert night1.decisions_outside_truth == 2  # r1, r2 did not exist on night 1


def test_empty_ban_list(tmp_path: Path) -> None:
    banlist, truth = _write(tmp_path, [])
    result = evaluate(banlist, truth)
    assert (result.precision, result.recall, result.f1) == (1.0, 0.0, 0.0)
    assert result.false_negatives == 6 and result.banned == 0


def test_a_ban_wins_over_a_review_of_the_same_account_and_case_is_ignored(tmp_path: Path) -> None:
    banlist, truth = _write(tmp_path, [("f1", "review"), ("f1", " BAN "), ("b2", "Review")])
    result = evaluate(banlist, truth)
    assert (result.banned, result.reviewed, result.true_positives) == (1, 1, 1)


def test_missing_columns_and_files_are_invalid_input(tmp_path: Path) -> None:
    banlist, truth = _write(tmp_path, [("f1", "ban")])
    pd.DataFrame({"account_id": ["f1"]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InvalidEvalInput, match="decision"):
        evaluate(tmp_path / "bad.csv", truth)
    with pytest.raises(InvalidEvalInput, match="does not exist") as info:
        evaluate(banlist, tmp_path / "missing.csv")
    assert info.value.exit_code == ExitCode.INVALID_INPUT


def test_eval_and_synth_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from linkage.cli import app

    runner = CliRunner()
    synth = runner.invoke(app, ["synth", str(tmp_path / "s"), "--accounts", "600", "--nights", "1", "--json"])
    assert synth.exit_code == 0, synth.output
    truth = tmp_path / "s" / "truth.csv"
    ids = pd.read_csv(truth)
    farm = ids.loc[ids["kind"] == "coordinated", "account_id"]
    pd.DataFrame({"account_id": farm, "decision": "ban", "score": 1.0, "cluster_id": "C-1", "reasons": "x"}).to_csv(
        tmp_path / "banlist.csv", index=False
    )
    result = runner.invoke(app, ["eval", str(tmp_path / "banlist.csv"), str(truth), "--json"])
    assert result.exit_code == 0, result.output
    assert '"precision": 1.0' in result.output and '"recall": 1.0' in result.output
    table = runner.invoke(app, ["eval", str(tmp_path / "banlist.csv"), str(truth)])
    assert table.exit_code == 0 and "farm_proxy_1" in table.output and "Group types" in table.output
    short = runner.invoke(app, ["eval", str(tmp_path / "banlist.csv"), str(truth), "--no-groups"])
    assert short.exit_code == 0 and "farm_proxy_1" not in short.output and "farm_proxy" in short.output


def test_accounts_banned_before_the_run_are_not_scored(tmp_path: Path) -> None:
    banlist, truth = _write(tmp_path, [("f1", "ban"), ("f2", "ban")])
    (tmp_path / "night1").mkdir()
    pd.DataFrame({"account_id": ["f3", "f4"], "banned_at": "2026-11-01T00:00:00Z", "reason": "x"}).to_parquet(
        tmp_path / "night1" / "bans.parquet"
    )
    (tmp_path / "night2").mkdir()
    pd.DataFrame({"account_id": ["r1"], "banned_at": "x", "reason": "x"}).to_csv(
        tmp_path / "night2" / "bans.csv.gz", index=False
    )
    assert known_bans(truth) == {"f3", "f4", "r1"}
    assert known_bans(truth, night=1) == {"f3", "f4"}
    result = evaluate(banlist, truth, night=1, already_banned=known_bans(truth, night=1))
    assert (result.true_positives, result.false_negatives, result.recall) == (2, 0, 1.0)
    assert result.already_banned == 2 and result.accounts == 7
    farm = next(g for g in result.groups if g.group == "farm_proxy_1")
    assert (farm.size, farm.banned, farm.already_banned) == (2, 2, 2)


def test_bans_reversed_on_appeal_are_counted_and_wrong_reversals_apart(tmp_path: Path) -> None:
    """The action log as `linkage actions --json` prints it: two reversals (one of a benign account the ban list
    had wrong, one of a farm's), an upheld ban that is no reversal; without it, no count at all."""
    banlist, truth = _write(tmp_path, [("f2", "ban"), ("f3", "ban"), ("f4", "ban")])
    log = tmp_path / "actions.json"
    log.write_text(json.dumps([{"account_id": "e1", "action": "reverse"}, {"account_id": "f1", "action": "reverse"},
                               {"account_id": "f2", "action": "uphold"}]))  # fmt: skip
    result = evaluate(banlist, truth, reversed_ids=reversed_accounts(log))
    assert (result.reversed, result.reversed_coordinated) == (2, 1)
    assert evaluate(banlist, truth).reversed is None
    log.write_text("{not json")
    with pytest.raises(InvalidEvalInput, match="is not `linkage actions --json` output"):
        reversed_accounts(log)
