"""linkage: finds coordinated fake-account networks in Neo4j with Graph Data Science."""

__version__ = "0.1.0"
