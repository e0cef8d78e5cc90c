"""`linkage indicators export`: read the banned clusters of a run (or one cluster) and their values, keep what may
leave, write the STIX 2.1 bundle.

A value leaves when at least two banned members of the cluster share it and most of its users are banned
(``LINKAGE_SCORE_RESPAWN_BANNED_SHARE``, the measure a respawn's reused values take): a carrier's NAT that a farm
went through, or a viral prompt, is not the farm's own. Addresses leave as they are (they are what a partner blocks);
payment methods and template families as keyed hashes; e-mails, devices and prompt text never; account ids only when
asked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from linkage.errors import LinkageError
from linkage.files import atomic_write
from linkage.graph import Graph
from linkage.settings import Settings
from linkage.share.keys import keyed, share_key
from linkage.share.stix import SharedCluster, Tlp, bundle

KINDS = {"IP": "address", "Subnet": "address", "PaymentMethod": "payment", "TemplateFamily": "template"}


class NothingToExport(LinkageError):
    """The run or cluster named has no bans (or does not exist)."""


class ExportResult(BaseModel):
    path: Path
    run_id: str | None
    cluster_id: str | None
    tlp: str
    campaigns: int
    indicators: int
    objects: int


def export_indicators(
    settings: Settings,
    path: Path,
    *,
    run_id: str | None = None,
    cluster_id: str | None = None,
    tlp: Tlp = Tlp.AMBER,
    include_account_ids: bool = False,
) -> ExportResult:
    """Write the bundle of the clusters with bans in ``run_id`` (default: the last finished run), or of the one
    cluster ``cluster_id``, to ``path``."""
    key = share_key(settings)
    with Graph(settings) as graph:
        if run_id is None and cluster_id is None:
            latest = graph.read("share/latest_run")
            if not latest:
                raise NothingToExport("No run has finished yet: there are no bans to share.")
            run_id = latest[0]["run_id"]
        clusters = graph.read("share/banned_clusters", run_id=run_id, cluster_id=cluster_id)
        if not clusters:
            scope = f"cluster {cluster_id}" if cluster_id else f"run {run_id}"
            raise NothingToExport(f"No banned cluster to share in {scope} (is the id right?).")
        values = graph.frame("share/cluster_values", cluster_ids=[row["cluster_id"] for row in clusters])
    shared = shared_clusters(clusters, values, settings.score_respawn_banned_share, key, include_account_ids)
    document = bundle(shared, settings.share_producer, tlp)
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8"))
    types = [obj["type"] for obj in document["objects"]]
    return ExportResult(
        path=path,
        run_id=run_id,
        cluster_id=cluster_id,
        tlp=tlp.value,
        campaigns=types.count("campaign"),
        indicators=types.count("indicator"),
        objects=len(types),
    )


def shared_clusters(
    clusters: list[dict[str, Any]], values: pd.DataFrame, banned_share: float, key: bytes, include_account_ids: bool
) -> list[SharedCluster]:
    """What may leave of each cluster (``share/banned_clusters`` rows, ``share/cluster_values`` frame)."""
    values = values.assign(share=values["banned"] / values["users"].clip(lower=1))
    own = values[values["share"] >= banned_share]
    shared = []
    for row in clusters:
        confidence = _confidence(row["score"])
        mine = own[own["cluster_id"] == row["cluster_id"]]
        kinds = mine["label"].map(KINDS)
        addresses = mine[kinds == "address"]
        shared.append(
            SharedCluster(
                cluster_id=row["cluster_id"],
                confidence=confidence,
                first_seen=_time(row["first_seen_ms"]),
                last_seen=_time(row["last_seen_ms"]),
                banned_accounts=len(row["banned"]),
                community_size=int(row["community_size"] or len(row["banned"])),
                evidence=sorted(kind for kind in (row["signals"] or "").split(",") if kind),
                addresses={
                    str(value): round(confidence * float(share))
                    for value, share in zip(addresses["value"], addresses["share"], strict=True)
                },
                payment_hashes=sorted(keyed(mine.loc[kinds == "payment", "value"].tolist(), key)),
                template_hashes=sorted(keyed(mine.loc[kinds == "template", "value"].tolist(), key)),
                account_ids=list(row["banned"]) if include_account_ids else None,
            )
        )
    return shared


def _confidence(score: float | None) -> int:
    """STIX confidence (0-100) from the cluster's score, the noisy-OR of its independent kinds of evidence."""
    return max(0, min(100, round(100 * float(score or 0.0))))


def _time(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
