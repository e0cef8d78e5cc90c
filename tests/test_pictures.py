"""What a picture draws, decided over frames (no database): the values that are evidence tonight, and a count of
the ones left out; the explained account in a colour of its own."""

from __future__ import annotations

import pandas as pd

from linkage.analyst.picture import DECISION_COLOURS, KIND_COLOURS, SUBJECT_COLOUR, evidence_links


def _links(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "link", "value", "weight"])


def test_values_that_are_no_evidence_are_left_out_and_counted() -> None:
    """A farm's card (weight 1) and the carrier NAT /24 and webmail domain its accounts share with everyone around
    them (weight 0, or none): the picture keeps the card and the farm, and says two values were left out."""
    links = _links([("farm1", "PAID_WITH", "fp1", 1.0), ("farm2", "PAID_WITH", "fp1", 1.0),
                    ("farm1", "IN_SUBNET", "100.64.0.0/24", 0.0), ("nat1", "IN_SUBNET", "100.64.0.0/24", 0.0),
                    ("nat2", "EMAIL_AT", "gmail.com", None), ("farm2", "EMAIL_AT", "gmail.com", None)])  # fmt: skip
    kept, left_out = evidence_links(links)
    assert set(kept["value"]) == {"fp1"} and set(kept["account_id"]) == {"farm1", "farm2"} and left_out == 2


def test_an_account_without_evidence_is_drawn_with_what_it_shares() -> None:
    links = _links([("me", "IN_SUBNET", "100.64.0.0/24", 0.0), ("nat1", "IN_SUBNET", "100.64.0.0/24", 0.0)])
    kept, left_out = evidence_links(links)
    assert kept.equals(links) and left_out == 0


def test_the_explained_account_has_a_colour_of_its_own() -> None:
    """Far from every kind's and every decision's colour (the red it was once drawn in was the payments' red)."""
    others = [*KIND_COLOURS.values(), *DECISION_COLOURS.values()]
    assert min(_rgb_distance(SUBJECT_COLOUR, colour) for colour in others) > 100


def _rgb_distance(a: str, b: str) -> float:
    first, second = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (a, b))
    return float(sum((x - y) ** 2 for x, y in zip(first, second, strict=True)) ** 0.5)
