"""Which fields of a crossing travel in clear and which are sealed to the centre.

CLEAR_FIELDS is an allow-list: a field added to CrossingRecord is sealed until listed here. It is
what routing, de-duplication, the booth's shift summary and the statistics need, nothing more
(messaging/seal.py seals the rest; records/schema_v2.py describes the wire form).
"""

from __future__ import annotations

import dataclasses

from records.record import CrossingRecord

SEALED_VERSION = 2
# What routing, de-duplication, the centre's tables and the booth's shift summary need.
CLEAR_FIELDS = frozenset({
    "record_id", "schema_version", "terminal_id", "border_post", "officer_id", "direction",
    "capture_method", "recorded_at", "clock_synced", "boot_id", "monotonic_ns",
    "software_version", "document_type", "document_code", "issuing_state", "mrz_valid",
    "mrz_corrections", "chip_status", "nationality", "sex", "age_estimated", "age_band", "minor",
    "country_of_residence", "traveller_category", "purpose", "intended_stay_days", "stay_band",
    "transport_mode", "transport_role", "decision", "refusal_reason", "watchlist_version",
    "amends", "minor_travel", "category_proposed",  # codes the statistics count, not personal
})
RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CrossingRecord))
# Everything else: names, document number, dates of birth and expiry, exact age, group and
# adult links, trafficking indicators, notes, referral, watchlist result, amend reason, the
# stated name and the photos with their consent (never on the statistics path).
SEALED_FIELDS = tuple(name for name in RECORD_FIELDS if name not in CLEAR_FIELDS)
