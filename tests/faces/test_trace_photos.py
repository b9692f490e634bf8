"""The centre's side of faces: the stated name links undocumented crossings, the trace says a
photo exists and `imdms trace --photos DIR` exports it (audited), and the purge deletes photos
by [retention] photos_days and with their crossing."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from central.db import Database
from central.retention.purge import purge
from central.trace.audit import audit_rows
from central.trace.search import Query, trace
from config.models import RetentionConfig
from tests.faces.helpers import jpeg, undocumented
from tests.trace.helpers import imdms
from tests.trace.people import T0, ingest


def test_the_stated_name_links_two_undocumented_crossings_with_their_photos(
        tmp_path: Path) -> None:
    db = Database(str(tmp_path / "c.sqlite3"))
    try:
        first, second = undocumented(photo=jpeg()), undocumented("MPHO LETSIE", days=3)
        ingest(db, first, second, undocumented("Thabo Mokoena", photo=jpeg()))
        (person,) = trace(db, Query(name="mpho letsie", dob=str(T0.year - 30)),
                          operator="inv-3", reason="case 2026/201")
        by_id = {c.record_id: c for c in person.crossings}
        assert set(by_id) == {first["record_id"], second["record_id"]}
        assert by_id[first["record_id"]].photos == ["booth"]
        assert by_id[second["record_id"]].photos == []  # refused: consent False, no photo
        assert by_id[first["record_id"]].to_dict()["photos"] == ["booth"]
    finally:
        db.close()


def test_cli_shows_and_exports_the_photos_audited(tmp_path: Path) -> None:
    url = str(tmp_path / "c.sqlite3")
    photo = jpeg()
    data = undocumented(photo=photo)
    db = Database(url)
    try:
        ingest(db, data)
    finally:
        db.close()
    who = ("--reason", "case 2026/201", "--operator", "inv-3", "--database", url)
    table = imdms("trace", "--record", data["record_id"], *who)
    assert table.returncode == 0, table.stderr
    assert "photo" in table.stdout.splitlines()[1] and "booth" in table.stdout
    out = tmp_path / "photos"
    done = imdms("trace", "--record", data["record_id"], "--json", "--photos", str(out), *who)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["crossings"][0]["photos"] == ["booth"]
    (file,) = out.iterdir()
    assert file.name == f"{data['record_id']}-booth.jpg" and file.read_bytes() == photo
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert "Letsie" not in done.stderr + table.stderr
    db = Database(url)
    try:
        actions = [r["action"] for r in audit_rows(db)]
    finally:
        db.close()
    assert actions == ["trace", "trace", "trace_photos"]


def test_purge_deletes_photos_after_photos_days_and_with_their_crossing(
        tmp_path: Path) -> None:
    now = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)

    def days_ago(n: int) -> datetime:
        return now - timedelta(days=n)

    old = undocumented(photo=jpeg(), at=days_ago(1200))  # photo expired, crossing kept
    young = undocumented("Thabo Mokoena", photo=jpeg(), at=days_ago(10))
    db = Database(str(tmp_path / "c.sqlite3"))
    try:
        ingest(db, old, young)
        config = RetentionConfig(crossings_days=2000, overstay_days=2000, photos_days=1096)
        dry = purge(db, config, now=now, dry_run=True)
        assert dry.kinds["photos"] == 1
        done = purge(db, config, now=now)
        assert done.kinds["photos"] == 1 and done.tables["photos"] == 1
        assert [r[0] for r in db.query("SELECT record_id FROM photos")] == [young["record_id"]]
        assert db.query("SELECT COUNT(*) FROM records")[0][0] == 2
        short = RetentionConfig(crossings_days=5, overstay_days=5, photos_days=1096)
        assert purge(db, short, now=now).kinds["photos"] == 1  # its crossing went: so did it
        assert db.query("SELECT COUNT(*) FROM photos")[0][0] == 0
    finally:
        db.close()
