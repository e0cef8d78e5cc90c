"""Memory that fits the machine: the local database's heap and page cache, sized as Neo4j sizes them (no database)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkage.detect.communities import heap_advice
from linkage.settings import Settings, SettingsError, load_settings
from localdb import LocalDbConfig
from localdb.memory import GIB, MIB, Memory, choose, machine_memory, parse_size, recommendation, size_text

THIS_MACHINE = 25_276_182_528  # the 23.5 GiB of the machine the suite was written on

# What Neo4j 5.26.25's own org.neo4j.dbms.MemoryRecommendation (neo4j-dbms jar) returns for these totals, its
# recommendHeapMemory, recommendPageCacheMemory and bytesToString, run with java against the local database's jars.
NEO4J = [
    (512 * MIB, 160_432_128, 27_262_976, "153m", "26m"),
    (2 * GIB, 536_870_912, 536_870_912, "512m", "512m"),
    (8 * GIB, 3_758_096_384, 2_147_483_648, "3600m", "2g"),
    (16 * GIB, 5_368_709_120, 7_516_192_768, "5g", "7g"),
    (16_894_541_141, 5_332_008_960, 7_304_265_045, "5100m", "7000m"),
    (THIS_MACHINE, 8_404_336_640, 10_553_126_912, "8000m", "10100m"),
    (64 * GIB, 25_769_803_776, 30_064_771_072, "24g", "28g"),
    (300 * GIB, 33_285_996_544, 266_623_516_672, "31g", "254300m"),
    (2000 * GIB, 33_285_996_544, 2_081_985_396_736, "31g", "1939g"),
]


@pytest.mark.parametrize(("memory", "heap", "pagecache", "heap_text", "pagecache_text"), NEO4J)
def test_the_sizes_are_neo4js_memory_recommendation_to_the_byte(
    memory: int, heap: int, pagecache: int, heap_text: str, pagecache_text: str
) -> None:
    assert recommendation(memory) == (heap, pagecache)
    assert (size_text(heap), size_text(pagecache)) == (heap_text, pagecache_text)


@pytest.mark.parametrize(
    ("total", "heap", "pagecache"),
    [
        (8 * GIB, "2700m", "874800k"),
        (16 * GIB, "4300m", "3400m"),
        (THIS_MACHINE, "5100m", "6900m"),
        (64 * GIB, "16g", "17700m"),
        (256 * GIB, "31g", "125300m"),
    ],
)
def test_the_database_is_sized_for_two_thirds_of_the_machine(total: int, heap: str, pagecache: str) -> None:
    memory = choose(None, None, total)
    assert memory == Memory(heap=heap, pagecache=pagecache, heap_sized=True, pagecache_sized=True)
    # a third stays with linkage's own process, and the operating system's reserve comes out of the other two
    assert parse_size(memory.heap) + parse_size(memory.pagecache) < total * 2 / 3 - GIB


def _cgroups(tmp_path: Path, membership: str, limits: dict[str, str]) -> tuple[Path, Path]:
    """A cgroup file system of ``limits`` (file under the root: content) and a /proc/self/cgroup of ``membership``."""
    root = tmp_path / "cgroup"
    for name, content in limits.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content + "\n")
    (tmp_path / "self-cgroup").write_text(membership)
    return root, tmp_path / "self-cgroup"


def test_a_cgroup_limit_below_the_machines_memory_is_the_memory(tmp_path: Path) -> None:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert physical > 2 * GIB
    # cgroup v2: the limit of a slice above the process's own cgroup, which has none ("max")
    v2_limits = {"user.slice/memory.max": str(2 * GIB), "user.slice/job.scope/memory.max": "max"}
    assert machine_memory(*_cgroups(tmp_path / "v2", "0::/user.slice/job.scope\n", v2_limits)) == 2 * GIB
    # cgroup v1 (this machine's kind): the memory controller's own hierarchy
    v1_limits = {
        "memory/memory.limit_in_bytes": "9223372036854771712",  # the root's: none
        "memory/process_api/abc/memory.limit_in_bytes": str(GIB + 12_345),
    }
    v1 = _cgroups(tmp_path / "v1", "9:pids:/\n4:memory:/process_api/abc\n0::/\n", v1_limits)
    assert machine_memory(*v1) == GIB + 12_345
    # a container: its own cgroup is the root, whatever /proc/self/cgroup says
    container = _cgroups(tmp_path / "container", "0::/\n", {"memory.max": str(3 * GIB)})
    assert machine_memory(*container) == 3 * GIB
    # no limit, or one above the machine's memory: the machine's
    assert machine_memory(*_cgroups(tmp_path / "none", "0::/\n", {"memory.max": "max"})) == physical
    assert machine_memory(*_cgroups(tmp_path / "above", "0::/a\n", {"a/memory.max": str(physical * 2)})) == physical
    assert machine_memory(tmp_path / "missing", tmp_path / "missing-self") == physical
    # and the sizes follow the limit
    assert choose(None, None, machine_memory(*container)) == choose(None, None, 3 * GIB)


def test_a_heap_or_page_cache_that_is_set_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose("3g", "1g", 64 * GIB) == Memory(heap="3g", pagecache="1g", heap_sized=False, pagecache_sized=False)
    # a page cache sized beside a set heap gets what that heap leaves, not what the recommended one would
    beside_a_set_heap = Memory(heap="12g", pagecache="21800m", heap_sized=False, pagecache_sized=True)
    assert choose("12g", None, 64 * GIB) == beside_a_set_heap
    assert choose(None, "2g", 64 * GIB) == Memory(heap="16g", pagecache="2g", heap_sized=True, pagecache_sized=False)
    monkeypatch.setenv("LINKAGE_LOCALDB_HEAP", "6g")
    monkeypatch.setenv("LINKAGE_LOCALDB_PAGECACHE", "1500m")
    memory = load_settings(home=tmp_path).localdb.memory
    assert (memory.heap, memory.pagecache, memory.heap_sized, memory.pagecache_sized) == ("6g", "1500m", False, False)
    monkeypatch.delenv("LINKAGE_LOCALDB_HEAP")
    monkeypatch.delenv("LINKAGE_LOCALDB_PAGECACHE")
    assert load_settings(home=tmp_path).localdb.memory == LocalDbConfig(home=tmp_path).memory
    assert Settings(localdb_heap=None, localdb_pagecache=None).localdb.memory.heap_sized
    monkeypatch.setenv("LINKAGE_LOCALDB_HEAP", "plenty")
    with pytest.raises(SettingsError, match="LINKAGE_LOCALDB_HEAP='plenty'"):
        load_settings()


def test_the_heap_advice_is_one_line_naming_the_setting_and_the_size() -> None:
    counts = {"node_count": 972_892, "relationship_count": 5_359_412}
    local = heap_advice(4 * GIB, 3 * GIB, 80.0, local=True, **counts)
    assert local == (
        "Detection needs about 5.0g of heap for 972,892 nodes and 5,359,412 relationships (GDS estimates 4.0g, and "
        "LINKAGE_DETECT_MAX_HEAP_PERCENTAGE lets it use 80% of the heap); the database has 3g: "
        "LINKAGE_LOCALDB_HEAP=5g would do, then `linkage db stop` so that the next command starts it with that heap."
    )
    server = heap_advice(6 * GIB, 5 * GIB + 100 * MIB, 50.0, local=False, **counts)
    assert "needs about 12.0g of heap" in server and "GDS estimates 6.0g" in server
    assert "the server has 5200m: server.memory.heap.max_size=12g in its neo4j.conf would do" in server
    assert "LINKAGE_LOCALDB_HEAP" not in server and "\n" not in local + server
