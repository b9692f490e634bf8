"""Sample data and users for `imdms console --demo` and the browser tests (synthetic only).

Records are made with records.samples.sample_crossing and stored through central.db ingest, as
the collector stores them; every name and document number is invented (DEMO-prefixed).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from central.db import Database
from records.clock import iso_z
from records.codes import (
    Decision,
    Direction,
    Purpose,
    RefusalReason,
    Sex,
    TipIndicator,
    TipReferral,
    TransportMode,
    TravellerCategory,
)
from records.samples import POSTS, sample_crossing

ROLE_USERS = {  # demo login per role: user name = role, password below
    "analyst": "analyst",
    "trafficking": "trafficking",
    "supervisor": "supervisor",
    "administrator": "administrator",
}
DEMO_PASSWORD = "demo-console-2026"
TRACED_DOC = "LSO:DEMO0000001"  # a person who crossed several times (for the trace page)
START = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def sample_records(n: int, seed: int = 7, days: int = 14) -> list[dict[str, object]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        post = POSTS[i % len(POSTS)] if i % 4 else POSTS[0]
        refused = rnd.random() < 0.04
        doc = f"DEMO{i:07d}" if i % 25 else "DEMO0000001"
        undocumented = rnd.random() < 0.05
        rec = sample_crossing(
            terminal=f"{post.lower()}-{1 + i % 2}",
            post=post,
            officer=f"officer-{i % 9}",
            direction=rnd.choice(list(Direction)),
            at=START + timedelta(seconds=rnd.randint(0, days * 86_400)),
            undocumented=undocumented,
            document_number=None if undocumented else doc,
            issuing_state=None if undocumented else "LSO",
            surname=None if undocumented else f"DEMO{doc[-3:]}",
            given_names=None if undocumented else "SAMPLE",
            clock_synced=True,
            software_version="0.1.0",
            nationality=rnd.choice(("LSO",) * 6 + ("ZAF", "ZAF", "ZWE", "MOZ")),
            sex=rnd.choice((Sex.MALE, Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN)),
            date_of_birth=None
            if undocumented
            else f"{rnd.randint(1950, 2020)}-0{rnd.randint(1, 9)}-15",
            age_estimated=undocumented,
            age_at_crossing=rnd.randint(1, 80) if undocumented else None,
            traveller_category=rnd.choice([None, *TravellerCategory]),
            purpose=rnd.choice([None, *Purpose]),
            intended_stay_days=rnd.choice([None, 1, 3, 40, 200, 500]),
            transport_mode=rnd.choice(list(TransportMode)),
            decision=Decision.REFUSED if refused else Decision.ADMITTED,
            refusal_reason=rnd.choice(list(RefusalReason)) if refused else None,
            tip_indicators=(TipIndicator(list(TipIndicator)[i % 11]),) if i % 97 == 0 else (),
            tip_referral=TipReferral.NONE,
        )
        out.append(rec)
    return out


def _demo_photo() -> str | None:
    """A drawn portrait (the booth's simulated camera), base64; None without OpenCV."""
    import base64

    try:
        from drivers.photo import SimulatedPhotoCamera

        return base64.b64encode(SimulatedPhotoCamera().take(12_288)).decode()
    except Exception:  # noqa: BLE001 - a demo without photos is still a demo
        return None


def load(url: str, n: int = 3000) -> int:
    """Store n sample crossings in the store at url (created if missing); returns stored.
    The traced person's first crossing carries a booth photo (the trace page shows it)."""
    db = Database(url)
    stored = 0
    photo = _demo_photo()
    try:
        for rec in sample_records(n):
            if photo and rec.get("document_number") == TRACED_DOC.split(":")[1]:
                rec.update(photo_consent=True, photo_jpeg=photo)
                photo = None  # one photo: the first crossing's
            got = db.ingest(json.dumps(rec).encode(), topic="demo")
            stored += got.outcome == "stored"
        db.commit()
    finally:
        db.close()
    return stored


def make_users(password: str = DEMO_PASSWORD) -> None:
    """One user per role (Django ORM; call after migrate)."""
    from console.accounts import create_user

    for role, name in ROLE_USERS.items():
        create_user(name, password, role)


def heartbeats(url: str) -> None:
    """Heartbeats of five demo terminals; the sixth (qachas-nek-2) fell silent 3 hours ago."""
    from datetime import datetime, timedelta

    from console.operations import store_heartbeat

    silent = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="milliseconds")
    db = Database(url, create=False)
    try:  # demo data only: date the silent terminal's records as received 3 hours ago
        db.execute(
            "UPDATE records SET received_at = ? WHERE terminal_id = ?",
            (silent.replace("+00:00", "Z"), "qachas-nek-2"),
        )
        db.commit()
    finally:
        db.close()
    for i, post in enumerate(POSTS):
        for n in (1, 2):
            tid = f"{post.lower()}-{n}"
            if tid == "qachas-nek-2":
                continue
            store_heartbeat(
                {
                    "terminal_id": tid,
                    "border_post": post,
                    "software_version": "0.1.0",
                    "sent_at": iso_z(datetime.now(UTC)),
                    "clock_synced": (i + n) % 4 != 0,
                    "outbox_pending": (i * 7 + n) % 5,
                    "outbox_awaiting_receipt": (i + n) % 3,
                    "readers": {"mrz": "ok", "chip": "ok" if n == 1 else "no card reader"},
                }
            )
