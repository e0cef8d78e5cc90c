"""Stable cluster ids across nights: tonight's suspicious communities inherit the ids of last night's clusters.

Leiden's community numbers mean nothing from one run to the next; analysts and the ban list need ids that do.
A community inherits the id of the earlier cluster it overlaps most, if it is also that cluster's main heir;
the event (new, stable, grown, shrunk, merged, split) is recorded; earlier clusters no community continues are
absorbed (a merged cluster lists them as parents) or dissolved (``dissolve_clusters.cypher``).

A cluster is its decided members (bans and reviews), and so are its overlaps and events: carrier-NAT users that
join or leave the community around a farm, with no decision, neither grow it nor carry its id elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# a community continues an earlier cluster when they share at least this share of either one's members
MIN_OVERLAP = 0.2


def _significant_overlaps(members: pd.DataFrame, previous_sizes: pd.Series) -> pd.DataFrame:
    """(community, previous cluster, overlap) pairs where the overlap is a real share of either side."""
    known = members.dropna(subset=["previous_cluster_id"])
    pairs = known.groupby(["community", "previous_cluster_id"]).size().rename("overlap").reset_index()
    pairs["community_size"] = pairs["community"].map(members.groupby("community").size())
    pairs["previous_size"] = pairs["previous_cluster_id"].map(previous_sizes).fillna(pairs["overlap"])
    share = pairs["overlap"] / pairs[["community_size", "previous_size"]].min(axis=1)
    return pairs[share >= MIN_OVERLAP]


def decided_members(scored: pd.DataFrame) -> pd.DataFrame:
    """Tonight's decided accounts, with the cluster they were decided in last night (none when they had no
    decision then: an undecided account also carries its community's cluster id)."""
    decided = scored[scored["decision"] != ""]
    was_decided = decided["previous_decision"].fillna("") != ""
    return decided.assign(previous_cluster_id=decided["previous_cluster_id"].where(was_decided))


def assign_cluster_ids(
    members: pd.DataFrame, suspicious: set[int], previous_sizes: pd.Series, new_id: Callable[[], str]
) -> pd.DataFrame:
    """One row per suspicious community: ``cluster_id``, ``status``, ``parents`` (earlier ids it continues) and
    ``size``, all of ``members`` (:func:`decided_members`; ``previous_sizes``: each earlier cluster's decided
    members)."""
    members = members[members["community"].isin(suspicious)]
    pairs = _significant_overlaps(members, previous_sizes)
    heir = pairs.sort_values("overlap", ascending=False).drop_duplicates("previous_cluster_id")
    heir_of = dict(zip(heir["previous_cluster_id"], heir["community"], strict=True))
    sizes = members.groupby("community").size()
    # new ids in the order of the clusters' size, then of their first member: Leiden's community numbers change
    # from one run to the next, and a night run again must give its clusters the same ids
    first = members.groupby("community")["account_id"].min()
    rows = []
    for community in sorted(suspicious, key=lambda c: (-int(sizes.get(c, 0)), str(first.get(c, "")), c)):
        mine = pairs[pairs["community"] == community].sort_values("overlap", ascending=False)
        parents = mine["previous_cluster_id"].tolist()
        inherited = [p for p in parents if heir_of.get(p) == community]
        size = int(sizes.get(community, 0))
        if not parents:
            cluster_id, status = new_id(), "new"
        elif not inherited:
            cluster_id, status = new_id(), "split"
        else:
            cluster_id = inherited[0]
            previous_size = int(previous_sizes.get(cluster_id, size))
            overlap = int(mine.loc[mine["previous_cluster_id"] == cluster_id, "overlap"].iloc[0])
            if len(inherited) > 1:
                status = "merged"
            elif size == previous_size == overlap:
                status = "stable"
            else:
                status = "grown" if size > previous_size else "shrunk"
        rows.append({"community": community, "cluster_id": cluster_id, "status": status, "parents": parents,
                     "size": size})  # fmt: skip
    return pd.DataFrame(rows, columns=["community", "cluster_id", "status", "parents", "size"])
