"""Reasons from the evidence of many accounts at once: each account reads its own values, in its own cluster."""

from __future__ import annotations

import pandas as pd

from linkage.detect.reasons import evidence_reasons
from linkage.detect.scoring import BEST_COLUMNS


def test_each_account_reads_its_own_evidence_strongest_first_and_its_own_cluster() -> None:
    rows = [
        ("b", "template", "T-1", 0.40, 12, 30, 0),
        ("a", "network", "203.0.113.0/24", 0.55, 9, 40, 0),
        ("b", "network", "198.51.100.7", 0.90, 8, 2, 5),  # a pool: five of b's own IPs link eight accounts
        ("a", "payment", "fp_1", 0.80, 7, 7, 0),
        ("a", "template", "T-1", 0.55, 9, 30, 0),  # a tie on strength: the kind decides, never the row order
    ]
    best = pd.DataFrame(rows, columns=BEST_COLUMNS)
    found = evidence_reasons(best, {"a": "C-0001", "b": "C-0002", "c": "C-0003"})
    assert set(found) == {"a", "b"}  # an account without shared values has no evidence reasons
    assert [(r.kind, r.value, r.members, r.total) for r in found["a"]] == [
        ("payment", "fp_1", 6, 7), ("network", "203.0.113.0/24", 8, 40), ("template", "T-1", 8, 30)]  # fmt: skip
    assert all("cluster C-0001" in r.sentence for r in found["a"])
    pool, template = found["b"]
    assert pool.values == 5 and "by a pool of IPs and subnets" in pool.sentence and "cluster C-0002" in pool.sentence
    assert template.values is None and template.sentence.startswith("shares prompt template family T-1 with 11 ")
