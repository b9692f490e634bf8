"""Demo casework for `imdms console --demo` and the browser tests (synthetic only): referred
crossings with their cases, watchlist hits (one on a referred crossing), and a first watchlist
version signed with a throw-away key (saved, not sent: the demo has no broker)."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from central.db import Database
from records.codes import Decision, TipIndicator, TipReferral

HITS = (("MISSING_CHILD_TIP", 0), ("WANTED", None), ("LOST_STOLEN_DOCUMENT", None))


def load_cases(url: str) -> list[str]:
    """Refer three of the demo's crossings (as amendments, the way a booth corrects one), open
    their cases, and store watchlist hits; returns the case ids."""
    from nacl.signing import SigningKey

    from central.cases.desk import CaseDesk
    from central.cases.schema import ensure_schema
    from central.watchlist.hits import store_hit
    from central.watchlist.publish import prepare
    from config.models import CasesConfig
    from messaging.watchlist_entries import parse_entries
    from records.case_id import case_id
    from records.record import CrossingRecord, new_record_id

    db = Database(url, create=False)
    try:
        ensure_schema(db)
        rows = db.query("SELECT payload FROM records WHERE is_current = 1 AND decision = ?"
                        " ORDER BY record_id LIMIT 3", (Decision.ADMITTED.value,))
        referrals = (TipReferral.POLICE_CHILD_GENDER_PROTECTION, TipReferral.SOCIAL_WELFARE,
                     TipReferral.POLICE_ANTI_TRAFFICKING)
        made, ids = [], []
        for (payload,), referral in zip(rows, referrals, strict=False):
            rec = CrossingRecord.from_dict(json.loads(payload))
            fixed = replace(rec, record_id=new_record_id(), amends=rec.record_id,
                            decision=Decision.REFERRED, tip_referral=referral,
                            tip_indicators=(TipIndicator.DOCUMENTS_HELD_BY_COMPANION,),
                            tip_note="demo: the escort held the passport").to_dict()
            db.ingest(json.dumps(fixed).encode(), topic="demo")
            made.append(fixed)
            ids.append(case_id(rec.record_id))
        db.commit()
        CaseDesk(CasesConfig(), url, "imdms/v1", None, dispatch=False).after_commit(
            db, [json.dumps(r).encode() for r in made])
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for n, (category, on) in enumerate(HITS):
            record = made[on]["record_id"] if on is not None and made else f"demo-rec-{n}"
            store_hit(db, {"event_id": f"demo-hit-{n}", "record_id": str(record),
                           "list_version": "1", "entry_id": f"wl-demo-{n}",
                           "category": category, "match": "document",
                           "border_post": "MSU-BRIDGE", "terminal_id": "msu-bridge-1",
                           "occurred_at": now})
        entries = parse_entries([
            {"id": "wl-demo-0", "category": "MISSING_CHILD_TIP", "source": "national",
             "instruction": "Keep the child here; call the CGPU.", "surname": "DEMOCHILD",
             "given_names": "SAMPLE", "date_of_birth": "2015-04-09"},
            {"id": "wl-demo-1", "category": "WANTED", "source": "national",
             "instruction": "Hold; call the police.", "document_number": "DEMO0000042"},
        ])
        prepare(db, "national", entries, SigningKey.generate(), operator="demo")
        db.commit()
        return ids
    finally:
        db.close()
