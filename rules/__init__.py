"""The rule engine: YAML rule schema, compiled checks, and `evaluate`.

Pure: no I/O, no platform, no storage. Flood-like checks keep their sliding
windows in memory inside the compiled check.
"""
