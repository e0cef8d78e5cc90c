"""Indicators shared between labs in STIX 2.1: export a night's banned networks, import a partner's."""
