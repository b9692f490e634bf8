"""Report rendering: CSV/JSON/HTML, suppression, the sensitive section, CLI errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from central.db import Database
from central.render import ReportMeta, render, suppress
from imdms.cli import main
from records.codes import TipIndicator, TipReferral
from records.stats import summarise
from tests.collector.peers import Store
from tests.collector.records import make, random_records


def _meta(**kw: object) -> ReportMeta:
    base: dict[str, object] = dict(
        since=date(2026, 3, 1),
        until=date(2026, 4, 30),
        border_post=None,
        period="day",
        suppress_below=0,
        utc_offset_minutes=120,
    )
    base.update(kw)
    return ReportMeta(**base)  # type: ignore[arg-type]


def test_suppress() -> None:
    assert [suppress(n, 5) for n in (0, 1, 4, 5, 9)] == [0, None, None, 5, 9]
    assert suppress(1, 0) == 1


def test_csv_and_json_suppress_small_cells() -> None:
    s = summarise(random_records(300), by_post=True, period="day")
    rows = list(csv.DictReader(io.StringIO(render(s, _meta(suppress_below=3), "csv"))))
    crossings = [r for r in rows if r["table"] == "crossings"]
    assert len(crossings) == len(s.cells)
    assert all(r["persons"] == "" or int(r["persons"]) >= 3 for r in crossings)
    assert any(r["persons"] == "" for r in crossings)
    doc = json.loads(render(s, _meta(suppress_below=3), "json"))
    assert all(v is None or v >= 3 for v in doc["cells"].values())
    assert doc["entries"] + doc["exits"] == 300 - s.refused  # grand totals: never suppressed
    assert sum(int(r["persons"]) for r in rows if r["table"] == "net_migration") == (
        s.net_migration
    )


def test_public_report_has_no_indicators() -> None:
    recs = [make(tips=(TipIndicator.COMPANION_ANSWERS,), referral=TipReferral.SOCIAL_WELFARE)]
    s = summarise(recs)
    for fmt in ("csv", "json"):
        assert "COMPANION_ANSWERS" in render(s, _meta(include_sensitive=True), fmt)
        for meta in (_meta(), _meta(public=True)):  # only on explicit request
            text = render(s, meta, fmt)
            assert "COMPANION" not in text and "WELFARE" not in text


def test_html_has_charts_and_tables() -> None:
    pytest.importorskip("matplotlib")
    s = summarise(random_records(200), by_post=True, period="month")
    page = render(s, _meta(period="month", suppress_below=2, include_sensitive=True), "html")
    assert page.count("data:image/png;base64,") == 3
    assert "Entries by age band and sex" in page and "restricted" in page
    assert "By traveller category" in page and "Refusals by reason" in page
    assert "<script" not in page


def test_cli_report_html_and_errors(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    db = Database(store.url)
    for rec in random_records(100):
        db.ingest(json.dumps(rec).encode())
    db.close()
    if store.kind == "sqlite":
        assert (Path(store.url).stat().st_mode & 0o777) == 0o600
    cfg = tmp_path / "central.toml"
    cfg.write_text(f'[collector]\ndatabase = "{store.url}"\nsuppress_below = 3\n')
    out = tmp_path / "r.html"
    args = ["report", "--config", str(cfg), "--from", "2026-03-01", "--to", "2026-03-31"]
    assert main([*args, "--format", "html", "--by", "month", "-o", str(out), "--progress"]) == 0
    assert "Cells under 3 persons are left blank" in out.read_text()
    err = capsys.readouterr().err
    assert "100%" in err and "wrote" in err
    assert main([*args, "--format", "json", "--post", "MAPUTSOE", "--public"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["border_post"] == "MAPUTSOE" and "sensitive" not in doc
    assert main(["report", "--config", str(cfg), "--from", "2026-03-02", "--to", "2026-03-01"]) == 2
    assert "--to is before --from" in capsys.readouterr().err
    missing = [
        "report",
        "--database",
        str(tmp_path / "nope.db"),
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-02",
    ]
    assert main(missing) == 2
    assert "run `imdms collect` first" in capsys.readouterr().err
