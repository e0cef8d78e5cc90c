"""What changed since the previous run: the part of the nightly report a human reads first."""

from __future__ import annotations

from typing import Any

from linkage.detect.stage import DetectResult


def changes_since(previous: dict[str, Any] | None, detection: DetectResult) -> dict[str, Any]:
    """Counts of tonight's cluster events and new decisions, with deltas against the previous run's summary."""
    report: dict[str, Any] = {
        "previous_run_id": (previous or {}).get("run_id"),
        "new_bans": detection.new_bans,
        "respawns_flagged": detection.respawns_flagged,
        "clusters_new": detection.cluster_events.get("new", 0),
        "clusters_grown": detection.cluster_events.get("grown", 0),
        "clusters_shrunk": detection.cluster_events.get("shrunk", 0),
        "clusters_merged": detection.cluster_events.get("merged", 0),
        "clusters_split": detection.cluster_events.get("split", 0),
        "clusters_stable": detection.cluster_events.get("stable", 0),
        "clusters_dissolved": detection.dissolved_clusters,
        "clusters_absorbed": detection.absorbed_clusters,
    }
    if previous is not None:
        for key in ("bans", "reviews", "clusters"):
            report[f"{key}_delta"] = getattr(detection, key) - int(previous.get(key, 0))
    return report
