"""Detection quality on generated scenarios the detector was not tuned on: synth → two nightly runs → eval.

    make bench-quality     # bench/quality.py --random --adaptive --seeds 7071-7090 on its own database

Each seed draws a scenario (``--random``: a randomised scenario family, wording, languages, sizes and mixes drawn
from wide ranges, and with ``--adaptive`` every adaptive farm family and look-alike at least once; otherwise the
default generator) of 3,000 to 30,000 accounts (drawn per seed between ``--min-accounts`` and ``--max-accounts``),
empties the database, runs night 1 and night 2 and scores each night's ban list. It prints, per farm type and per
look-alike type, the ban and review rates over every scenario and night; per scenario and night the precision and
recall of ``decision = ban`` and the review queue's benign share; how many coordinated accounts got no decision at
all; and last a line ``min_precision=… min_recall=… max_benign_review_share=… undecided_share=…`` (recall per farm
type, every night; the review queue's benign share of each night that has a queue; the share of coordinated
accounts with no decision).

Tuning discipline: thresholds are chosen on tuning seeds and reported on held-out seeds never used for tuning
(BENCHMARKS.md): with the adaptive families, tuning seeds 5001-5020 and held-out seeds 7071-7090 (6001-6020,
7001-7010, 7011-7030, 7031-7050 and 7051-7070 before the last changes); before them, tuning 1001-1020 and
held-out 2001-2020 and 4001-4020.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.scenarios import Scenario, random_scenario, synthesize
from linkage.scenarios.evaluate import EvalResult, evaluate, known_bans
from linkage.settings import Settings


@dataclass
class Totals:
    """Accounts of one group type over every scenario and night, and how many were banned or reviewed."""

    kind: str
    size: int = 0
    banned: int = 0
    reviewed: int = 0
    recalls: list[float] = field(default_factory=list)  # per scenario and night, for farm types


@dataclass
class NightScore:
    seed: int
    night: int
    accounts: int
    precision: float
    recall: float
    reviewed: int
    benign_review_share: float | None
    farm_recall: dict[str, float]


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def _scenario(seed: int, accounts: int, randomised: bool, adaptive: bool = False) -> Scenario:
    return random_scenario(seed, accounts, adaptive=adaptive) if randomised else Scenario(accounts=accounts, seed=seed)


def _score(seed: int, night: int, result: EvalResult, totals: dict[str, Totals]) -> NightScore:
    benign_reviews = sum(t.reviewed for t in result.group_types if t.kind != "coordinated")
    farm_recall: dict[str, float] = {}
    for t in result.group_types:
        entry = totals.setdefault(t.group_type, Totals(kind=t.kind))
        entry.size += t.size
        entry.banned += t.banned
        entry.reviewed += t.reviewed
        if t.kind == "coordinated" and t.size:
            farm_recall[t.group_type] = t.banned / t.size
            entry.recalls.append(t.banned / t.size)
    return NightScore(
        seed=seed, night=night, accounts=result.accounts, precision=result.precision, recall=result.recall,
        reviewed=result.reviewed, benign_review_share=benign_reviews / result.reviewed if result.reviewed else None,
        farm_recall=farm_recall,
    )  # fmt: skip


def run_seed(
    settings: Settings, seed: int, accounts: int, randomised: bool, work: Path, adaptive: bool = False
) -> list[EvalResult]:
    """Two nights of one scenario on an empty database; the evaluation of each night's ban list."""
    scenario_dir = work / f"seed-{seed}"
    synthesize(scenario_dir, _scenario(seed, accounts, randomised, adaptive))
    with Graph(settings) as graph:
        graph.reset()
    results = []
    truth = scenario_dir / "truth.csv"
    for night in (1, 2):
        out = scenario_dir / "out" / f"night{night}"
        nightly_run(settings, scenario_dir / f"night{night}", out)
        results.append(evaluate(out / "banlist.csv", truth, night=night, already_banned=known_bans(truth, night)))
    return results


def _report(totals: dict[str, Totals], scores: list[NightScore]) -> str:
    lines = ["| group type | kind | accounts | ban rate | review rate |", "| --- | --- | ---: | ---: | ---: |"]
    for name, t in sorted(totals.items(), key=lambda item: (item[1].kind, item[0])):
        lines.append(f"| {name} | {t.kind} | {t.size:,} | {t.banned / t.size:.3f} | {t.reviewed / t.size:.3f} |")
    precisions = [s.precision for s in scores]
    recalls = [r for s in scores for r in s.farm_recall.values()]
    shares = [s.benign_review_share for s in scores if s.benign_review_share is not None]
    lines += [
        "",
        f"precision (per scenario and night): min {min(precisions):.4f}, median {statistics.median(precisions):.4f}",
        f"recall (per farm type, scenario and night): min {min(recalls):.4f}, median {statistics.median(recalls):.4f}",
        f"review queue benign share (per night with a queue): max {max(shares, default=0.0):.3f}, "
        f"median {statistics.median(shares) if shares else 0.0:.3f}",
    ]
    worst_look_alike = max((t.reviewed / t.size for t in totals.values() if t.kind != "coordinated"), default=0.0)
    lines.append(f"largest review rate of a look-alike type: {worst_look_alike:.3f}")
    coordinated = [t for t in totals.values() if t.kind == "coordinated"]
    size = sum(t.size for t in coordinated)
    undecided = sum(t.size - t.banned - t.reviewed for t in coordinated)
    lines.append(f"coordinated accounts with no decision (every scenario and night): {undecided:,} of {size:,}")
    lines.append(
        f"min_precision={min(precisions):.4f} min_recall={min(recalls):.4f} "
        f"max_benign_review_share={max(shares, default=0.0):.3f} undecided_share={undecided / max(size, 1):.4f}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="2001-2020", help="seeds, e.g. 2001-2020 or 1001,1003")
    parser.add_argument("--min-accounts", type=int, default=3_000)
    parser.add_argument("--max-accounts", type=int, default=30_000)
    parser.add_argument("--random", action="store_true", help="randomised scenario families (linkage synth --random)")
    parser.add_argument(
        "--adaptive", action="store_true", help="with --random: every adaptive family and look-alike in every scenario"
    )
    parser.add_argument("--work", type=Path, default=None, help="keep scenarios and outputs here")
    parser.add_argument("--json", type=Path, default=None, help="also write every night's scores as JSON")
    args = parser.parse_args()

    settings = Settings(demo=True)
    seeds = _seeds(args.seeds)
    # each seed its own size: a seed's scenario does not depend on the other seeds of the run (until 2026-12-07 the
    # sizes came from one generator seeded with the list's sum, which the tables of BENCHMARKS.md before then used)
    sizes = [int(np.random.default_rng(seed).integers(args.min_accounts, args.max_accounts + 1)) for seed in seeds]
    work = args.work or Path(tempfile.mkdtemp(prefix="linkage-quality-"))
    totals: dict[str, Totals] = {}
    scores: list[NightScore] = []
    for seed, accounts in zip(seeds, sizes, strict=True):
        started = time.perf_counter()
        results = run_seed(settings, seed, int(accounts), args.random, work, args.adaptive)
        for night, result in enumerate(results, start=1):
            scores.append(_score(seed, night, result, totals))
            s = scores[-1]
            share = "-" if s.benign_review_share is None else f"{s.benign_review_share:.3f}"
            print(f"seed {seed} night {night}: {s.accounts:,} accounts, precision {s.precision:.4f}, recall "
                  f"{s.recall:.4f}, reviews {s.reviewed:,} (benign share {share}), farm recall "
                  f"{ {k: round(v, 3) for k, v in s.farm_recall.items()} }", file=sys.stderr)  # fmt: skip
        print(f"seed {seed}: {accounts:,} accounts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if args.work is None:
            shutil.rmtree(work / f"seed-{seed}", ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ for s in scores], indent=2))
    print(_report(totals, scores))


if __name__ == "__main__":
    main()
