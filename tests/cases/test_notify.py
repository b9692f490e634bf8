"""Notices against real peers: an SMTP server in its own process (plain and STARTTLS) and a
local HTTP hook; retries with backoff, failures visible in the list and the doctor; the booth
receipt once a notice went out. No notice carries personal data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central.cases.desk import CaseDesk
from central.cases.dispatcher import Dispatcher
from central.cases.health import check_cases
from central.cases.notify import Notice, NoticeError
from central.cases.schema import ensure_schema
from central.cases.smtp import SmtpNotifier
from central.cases.store import list_cases
from central.db import Database
from config.models import CasesConfig, CollectorConfig, Config
from imdms.checks import Status
from messaging.referral_receipt import parse
from records.case_id import case_id
from tests.cases.conftest import HookServer, SmtpServer, start_smtp, stop_proc
from tests.cases.records import PERSONAL, referred
from tests.certs import make_pki

pytestmark = pytest.mark.peer
NOTICE = Notice(case_id("r1"), "SOCIAL_WELFARE", "MSU-BRIDGE", "t1", "2026-03-10T08:00:00.000Z",
                "2026-03-10T08:00:02.000Z")


def _cases(smtp_port: int = 1, hook: str | None = None, email: bool = True,
           **extra: Any) -> CasesConfig:
    shift: dict[str, Any] = {"email": ["duty@sw.example"] if email else []}
    if hook:
        shift["hook"] = hook
    return CasesConfig.model_validate({
        "roster": {"SOCIAL_WELFARE": [shift]},
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "starttls": False, "timeout_s": 5},
        "retry_min_s": 0.01, "retry_max_s": 0.05, **extra})


def _no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text


def test_smtp_mail_has_the_case_and_no_person(smtp_server: SmtpServer) -> None:
    SmtpNotifier(_cases(smtp_server.port)).send("duty@sw.example", NOTICE)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "duty@sw.example"
    assert NOTICE.case_id in mail["Subject"] and mail["X-IMDMS-Case"] == NOTICE.case_id
    body = mail.get_payload()
    assert isinstance(body, str)
    assert "MSU-BRIDGE" in body and "Social welfare" in body and NOTICE.crossed_at in body


def test_smtp_starttls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pki = make_pki(tmp_path / "pki")
    proc, server = start_smtp(tmp_path, tls=pki)
    try:
        cfg = _cases(server.port)
        tls = cfg.model_copy(update={"smtp": cfg.smtp.model_copy(update={"starttls": True})})
        with pytest.raises(NoticeError, match="SMTP"):  # the test CA is not trusted yet
            SmtpNotifier(tls).send("duty@sw.example", NOTICE)
        monkeypatch.setenv("SSL_CERT_FILE", str(pki["ca"]))
        SmtpNotifier(tls).send("duty@sw.example", NOTICE)
        assert len(server.wait_for(1)) == 1
    finally:
        stop_proc(proc)


def test_smtp_failure_is_a_notice_error() -> None:
    from tests.peers import free_port

    with pytest.raises(NoticeError, match="SMTP 127.0.0.1"):
        SmtpNotifier(_cases(free_port())).send("duty@sw.example", NOTICE)
    with pytest.raises(NoticeError, match="no SMTP server"):
        SmtpNotifier(CasesConfig())


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(str(tmp_path / "central.sqlite3"))
    ensure_schema(database)
    try:
        yield database
    finally:
        database.close()


def _open(db: Database, cfg: CasesConfig) -> str:
    rec = referred()
    db.store(rec)
    db.commit()
    desk = CaseDesk(cfg, db.url, "imdms/v1", None, dispatch=False)
    assert desk.after_commit(db, [json.dumps(rec).encode()]) == 1
    return case_id(rec["record_id"])


def test_dispatch_mail_and_hook_then_receipt(db: Database, smtp_server: SmtpServer,
                                             hook_server: HookServer) -> None:
    cfg = _cases(smtp_server.port, hook_server.url)
    cid = _open(db, cfg)
    published: list[tuple[str, bytes]] = []
    dispatcher = Dispatcher(cfg, db.url, "imdms/v1", lambda t, p: published.append((t, p)))
    assert dispatcher.run_once(db) == 2
    (mail,) = smtp_server.wait_for(1)
    _no_personal_data(mail.as_string())
    (post,) = hook_server.posts
    assert post["case_id"] == cid and post["unit"] == "SOCIAL_WELFARE"
    _no_personal_data(json.dumps(post))
    (topic, payload), = published
    assert topic == "imdms/v1/MSU-BRIDGE/t1/referral-receipt"
    receipt = parse(payload)
    assert (receipt.case_id, receipt.notified, receipt.status) == (cid, True, "received")
    assert dispatcher.run_once(db) == 0 and len(published) == 1  # sent once
    assert list_cases(db, "sup")[0]["notified"] == "sent 2/2"


def test_retries_then_fails_visibly(db: Database, hook_server: HookServer) -> None:
    hook_server.status = 503
    cfg = _cases(hook=hook_server.url, email=False, attempts=3)
    cid = _open(db, cfg)
    published: list[tuple[str, bytes]] = []
    dispatcher = Dispatcher(cfg, db.url, "imdms/v1", lambda t, p: published.append((t, p)))
    now = 1_900_000_000_000
    dispatcher.run_once(db, now)
    (case,) = list_cases(db, "sup")
    assert case["notified"] == "pending 0/1 (1 tries, hook answered HTTP 503)"
    assert dispatcher.run_once(db, now) == 0 and len(hook_server.posts) == 1  # backing off
    dispatcher.run_once(db, now + 1000)
    dispatcher.run_once(db, now + 2000)
    assert len(hook_server.posts) == 3
    (case,) = list_cases(db, "sup")
    assert case["notified"] == "FAILED: hook answered HTTP 503"
    assert case["case_id"] == cid
    assert not parse(published[0][1]).notified  # the booth is told nobody was reached
    config = Config(collector=CollectorConfig(database=db.url), cases=cfg)
    result = check_cases(config)
    assert result.status is Status.FAIL and "1 referral notice(s) failed" in result.message


def test_doctor_line_when_all_is_well(db: Database, hook_server: HookServer, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "imdms-hook-token").write_text("s3cret\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    cfg = _cases(hook=hook_server.url, email=False)
    _open(db, cfg)
    Dispatcher(cfg, db.url, "imdms/v1", None).run_once(db)
    result = check_cases(Config(collector=CollectorConfig(database=db.url), cases=cfg))
    assert result.status is Status.PASS, result
    assert hook_server.headers[0]["Content-Type"] == "application/json"
    assert hook_server.headers[0]["Authorization"] == "Bearer s3cret"


def test_receipt_owed_until_published(db: Database, hook_server: HookServer) -> None:
    class Refused:
        rc = 4  # paho's MQTT_ERR_NO_CONN

    cfg = _cases(hook=hook_server.url, email=False)
    _open(db, cfg)
    calls: list[str] = []

    def publish(topic: str, payload: bytes) -> object:
        calls.append(topic)
        return Refused() if len(calls) == 1 else None

    dispatcher = Dispatcher(cfg, db.url, "imdms/v1", publish)
    dispatcher.run_once(db)
    dispatcher.run_once(db)
    dispatcher.run_once(db)
    assert len(calls) == 2  # refused once, then published once
