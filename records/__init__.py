"""The crossing domain, shared by the booth and the centre: code lists (codes), the record
(record) and its JSON Schemas (schema, schema_v2, sealed_fields), the counting rules (stats),
booking rules with no UI (rules) and the one time format (clock).

Stdlib, pydantic-free, no I/O beyond reading the schema files; imports only ocr/ and the kernel.
"""
