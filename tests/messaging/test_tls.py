"""Mutual TLS against a real Mosquitto with a CA made here; a wrong client certificate is
refused with a clear error and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from config.models import Config
from imdms.errors import ConfigError
from messaging.forwarder import settings_from_config
from messaging.outbox import Outbox
from tests.certs import make_pki
from tests.helpers import wait_until
from tests.messaging.helpers import fill, start_forwarder

pytestmark = pytest.mark.peer


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"), rogue=True)


def test_mutual_tls_drains(tmp_path: Path, pki: dict[str, Path], broker_factory: Any,
                           collector_factory: Any) -> None:
    b = broker_factory(tls=pki)
    col = collector_factory(b.port, tls=pki)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3")
    ids = fill(box, 50)
    run = start_forwarder(box, tmp_path, b.port, ca_file=pki["ca"],
                          cert_file=pki["client_cert"], key_file=pki["client_key"])
    try:
        assert col.wait_for(set(ids)) == set()
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        run.halt()
    box.close()


def test_wrong_client_certificate_is_refused_clearly(tmp_path: Path, pki: dict[str, Path],
                                                     broker_factory: Any) -> None:
    b = broker_factory(tls=pki)
    box = Outbox(tmp_path / "o.sqlite3")
    fill(box, 10)
    run = start_forwarder(box, tmp_path, b.port, ca_file=pki["ca"],
                          cert_file=pki["rogue_cert"], key_file=pki["rogue_key"])
    status = tmp_path / "forwarder-status.json"
    try:
        assert wait_until(lambda: status.exists()
                          and json.loads(status.read_text())["last_error"] is not None)
        st = json.loads(status.read_text())
        assert st["online"] is False
        assert "client certificate" in st["last_error"]
        assert not run.forwarder.connected  # TLS 1.3 "connected" sockets are not CONNACKs
    finally:
        run.halt()
    assert box.status().pending == 10
    assert "client certificate" in (box.status().last_error or "")
    box.close()


def test_settings_read_key_from_credentials_directory(tmp_path: Path, pki: dict[str, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "imdms-client.key").write_bytes(pki["client_key"].read_bytes())
    (creds / "imdms-mqtt.password").write_text("s3cret\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    cfg = Config.model_validate({
        "broker": {"host": "central.example", "username": "t1",
                   "tls": {"ca_file": str(pki["ca"]), "cert_file": str(pki["client_cert"])}},
    })
    s = settings_from_config(cfg)
    assert s.key_file == creds / "imdms-client.key"
    assert s.password == "s3cret" and "s3cret" not in repr(s)
    assert s.client_id == "imdms-MSU-BRIDGE-demo-01"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(ConfigError, match="client key"):
        settings_from_config(cfg)
    with pytest.raises(ConfigError, match="forwarding is disabled"):
        settings_from_config(Config())
