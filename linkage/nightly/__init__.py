"""The nightly job: load, similarity, detection, its files, and the record of each run."""

from linkage.nightly.run import RunResult, detect_only, export_banlist, load_only, nightly_run, similarity_only

__all__ = ["RunResult", "detect_only", "export_banlist", "load_only", "nightly_run", "similarity_only"]
