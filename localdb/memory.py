"""The local database's heap and page cache: sized from the machine's memory unless set.

The sizes are what ``neo4j-admin server memory-recommendation --memory <m>`` recommends for the memory ``m`` left to
the database. The command (``org.neo4j.commandline.dbms.MemoryRecommendationsCommand``) takes them from Neo4j 5's
``org.neo4j.dbms.MemoryRecommendation`` (neo4j/neo4j, ``community/dbms/src/main/java/org/neo4j/dbms/``; in the
``neo4j-dbms`` jar the local database runs): a heap and a reserve for the operating system (with Lucene's and Netty's
native memory) interpolated linearly between fixed points of total memory, the heap never above 31 GiB, and the page
cache gets what is left, 8 MiB at least. Transaction state stays on the heap (Neo4j 5's default), so nothing is set
aside off it. tests/test_memory.py holds what the class itself returns for nine sizes; this port gives the same bytes.

The command assumes a machine of Neo4j's own and takes ``--memory`` when it is not: here linkage's own process runs
beside the database and needs several GB (a night at 1M accounts peaked at 8.8 GB of a 23 GB machine, BENCHMARKS.md),
so the database is left two thirds of the memory, the rest being linkage's. The memory is the machine's, or its
cgroup's limit when that is lower (a container).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

KIB, MIB, GIB, TIB = 1 << 10, 1 << 20, 1 << 30, 1 << 40
LINKAGE_SHARE = 1 / 3  # of the memory, left to linkage's own process

# MemoryRecommendation's points: total memory, the operating system's reserve and the heap, in GiB
_POINTS = (
    (0.01, 0.007, 0.002),
    (1.0, 0.65, 0.3),
    (2.0, 1.0, 0.5),
    (4.0, 1.5, 2.0),
    (6.0, 2.0, 3.0),
    (8.0, 2.5, 3.5),
    (10.0, 3.0, 4.0),
    (12.0, 3.5, 4.5),
    (16.0, 4.0, 5.0),
    (24.0, 6.0, 8.0),
    (32.0, 8.0, 12.0),
    (64.0, 12.0, 24.0),
    (128.0, 16.0, 31.0),
    (256.0, 20.0, 31.0),
    (512.0, 24.0, 31.0),
    (1024.0, 30.0, 31.0),
)
_OS, _HEAP = 1, 2
_JVM_SIZE = re.compile(r"(\d+)([kmgt]?)", re.IGNORECASE)
_UNITS = {"": 1, "k": KIB, "m": MIB, "g": GIB, "t": TIB}


@dataclass(frozen=True)
class Memory:
    """The heap and page cache the local database runs with, as the JVM and Neo4j take them (``5100m``), and whether
    each was sized from the machine's memory (or set by LINKAGE_LOCALDB_HEAP / LINKAGE_LOCALDB_PAGECACHE)."""

    heap: str
    pagecache: str
    heap_sized: bool
    pagecache_sized: bool


def choose(heap: str | None, pagecache: str | None, total: int | None = None) -> Memory:
    """The local database's memory: ``heap`` and ``pagecache`` when set, else sized for ``total`` bytes (by default
    :func:`machine_memory`). A page cache sized beside a set heap gets what that heap leaves."""
    total = machine_memory() if total is None else total
    dedicated = total - int(total * LINKAGE_SHARE)
    heap_bytes, pagecache_bytes = recommendation(dedicated, parse_size(heap) if heap else None)
    return Memory(
        heap=heap or size_text(heap_bytes),
        pagecache=pagecache or size_text(pagecache_bytes),
        heap_sized=not heap,
        pagecache_sized=not pagecache,
    )


def recommendation(memory: int, heap: int | None = None) -> tuple[int, int]:
    """Heap and page cache in bytes for ``memory`` bytes given to Neo4j, as ``memory-recommendation --memory`` has
    them (recommendHeapMemory, recommendPageCacheMemory); ``heap``, when set, instead of the recommended one."""
    heap = _interpolate(memory, _HEAP) if heap is None else heap
    pagecache = memory - _interpolate(memory, _OS) - heap
    return heap, min(max(pagecache, 8 * MIB), 16 * TIB)


def _interpolate(memory: int, column: int) -> int:
    """``column`` between the two points around ``memory`` (the last point's beyond it), in whole MiB, computed as
    MemoryRecommendation's Brackets.recommend computes it, so that the sizes are the command's to the byte."""
    gib = memory / GIB
    above = next((i for i in range(1, len(_POINTS)) if gib < _POINTS[i][0]), None)
    lower, upper = (_POINTS[-1], _POINTS[-1]) if above is None else (_POINTS[above - 1], _POINTS[above])
    factor = 0.0 if lower is upper else (gib - lower[0]) / (upper[0] - lower[0])
    gibibytes = lower[column] + (upper[column] - lower[column]) * factor
    return int(gibibytes * 1024.0) * MIB


def size_text(size: int) -> str:
    """A size as Neo4j writes one (MemoryRecommendation.bytesToString): whole gibibytes (``7g``), or hundreds of
    mebibytes when that is 100 MiB off or more (``5100m``); below a gibibyte the same a unit down."""
    for unit, name, smaller in ((GIB, "g", "m"), (MIB, "m", "k")):
        if size >= unit:
            step = unit // KIB * 100
            return f"{int(size / step + 0.5) * 100}{smaller}" if size % unit >= step else f"{size // unit}{name}"
    return f"{math.ceil(size / KIB)}k"


def parse_size(text: str) -> int:
    """Bytes of a size as the JVM takes one (``3g``, ``512m``, ``4096k``, ``1073741824``)."""
    match = _JVM_SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a size such as 4g or 512m")
    return int(match[1]) * _UNITS[match[2].lower()]


def machine_memory(cgroups: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")) -> int:
    """This machine's memory in bytes, or the memory limit of this process's cgroup (or of one above it) when lower."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limits = [int(text) for text in map(_read, _limit_files(cgroups, membership)) if text.isdigit()]
    return min([physical, *limits])


def _limit_files(cgroups: Path, membership: Path) -> list[Path]:
    """The memory limit files of the cgroups ``membership`` (/proc/self/cgroup) names and of their ancestors:
    ``memory.max`` in cgroup v2 ("max" when unlimited), ``memory.limit_in_bytes`` in v1. The root's come first: a
    container sees its own cgroup there."""
    files = [cgroups / "memory.max", cgroups / "memory" / "memory.limit_in_bytes"]
    for line in _read(membership).splitlines():
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        if fields[1] == "":
            root, name = cgroups, "memory.max"
        elif "memory" in fields[1].split(","):
            root, name = cgroups / "memory", "memory.limit_in_bytes"
        else:
            continue
        leaf = root / fields[2].strip("/")
        files += [folder / name for folder in (leaf, *leaf.parents) if folder.is_relative_to(root)]
    return files


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
