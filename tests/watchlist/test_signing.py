"""The booth applies only lists signed by the centre's key: unsigned, tampered and foreign
lists are refused and the held list stays."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from messaging.export_file import verify_key_pem
from messaging.watchlist import Watchlist, WatchlistRefused, store_payload
from messaging.watchlist_sign import full_document
from records.codes import WatchlistResult
from tests.watchlist.conftest import AT, BAN, CHILD, DOC, entries_of, full


def refused(path: Path, payload: bytes) -> str:
    with pytest.raises(WatchlistRefused) as info:
        store_payload(path, payload)
    return info.value.reason


def test_signed_list_is_applied_and_stored_0600(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    wl = store_payload(path, full(centre_key, 1, [DOC, CHILD]))
    assert (wl.version, wl.number, entries_of(wl)) == ("1", 1, {"wl-doc", "wl-child"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = Watchlist.load(path)
    assert again.number == 1 and entries_of(again) == {"wl-doc", "wl-child"}
    assert again.check("QX 1234567", "LSO", None) is WatchlistResult.HIT


def test_unsigned_list_is_refused(booth_dir: Path) -> None:
    path = booth_dir / "watchlist.json"
    plain = json.dumps(full_document(1, [DOC], AT)).encode()
    assert refused(path, plain) == "unsigned"
    legacy = json.dumps({"version": "v9", "entries": [{"document_number": "X1"}]}).encode()
    assert refused(path, legacy) == "unsigned"
    assert not path.exists()


def test_tampered_list_is_refused(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    store_payload(path, full(centre_key, 1, [DOC]))
    doc = json.loads(full(centre_key, 2, [DOC, BAN]))
    doc["entries"] = doc["entries"][:1]  # an entry dropped in transit
    assert refused(path, json.dumps(doc).encode()) == "signature"
    doc = json.loads(full(centre_key, 2, [DOC]))
    doc["version"] = 3  # a version bumped to jump the queue
    assert refused(path, json.dumps(doc).encode()) == "signature"
    doc = json.loads(full(centre_key, 2, [DOC]))
    doc["signature"]["value"] = "not base64!"
    assert refused(path, json.dumps(doc).encode()) == "signature"
    assert Watchlist.load(path).number == 1


def test_foreign_key_is_refused(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    other = SigningKey.generate()
    assert refused(path, full(other, 1, [DOC])) == "foreign_key"
    # a foreign signature under the centre's key id is still caught by the signature check
    doc = json.loads(full(other, 1, [DOC]))
    doc["signature"]["key_id"] = json.loads(full(centre_key, 1, [DOC]))["signature"]["key_id"]
    assert refused(path, json.dumps(doc).encode()) == "signature"
    assert not path.exists()


def test_without_a_key_nothing_is_applied(tmp_path: Path, centre_key: SigningKey) -> None:
    assert refused(tmp_path / "watchlist.json", full(centre_key, 1, [DOC])) == "no_key"
    configured = tmp_path / "centre.pub"
    configured.write_text(verify_key_pem(centre_key.verify_key))
    wl = store_payload(tmp_path / "watchlist.json", full(centre_key, 1, [DOC]),
                       public_key=configured)
    assert wl.number == 1


def test_not_json_and_bad_entries_are_refused(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    assert refused(path, b"\xff{") == "malformed"
    bad = full_document(1, [DOC], AT)
    bad["entries"][0]["category"] = "SPY"
    from messaging.watchlist_sign import sign

    assert refused(path, sign(bad, centre_key)) == "malformed"


def test_refusals_log_no_personal_data(booth_dir: Path, centre_key: SigningKey,
                                       caplog: pytest.LogCaptureFixture) -> None:
    path = booth_dir / "watchlist.json"
    store_payload(path, full(centre_key, 2, [DOC, CHILD]))
    messages = []
    for payload in (full(SigningKey.generate(), 3, [DOC, CHILD]), full(centre_key, 1, [CHILD]),
                    json.dumps(full_document(4, [DOC, CHILD], AT)).encode()):
        with pytest.raises(WatchlistRefused) as info:
            store_payload(path, payload)
        messages.append(str(info.value))
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("messaging.forwarder").warning("watchlist update ignored (%s)",
                                                         messages[0])
    text = " ".join(messages) + caplog.text
    for personal in ("QX1234567", "MÜLLER", "ANNA", "2015-04-09"):
        assert personal not in text


def test_key_rotation_trusts_every_key_in_the_file(booth_dir: Path,
                                                   centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    pub = booth_dir / "watchlist.pub"
    new_key = SigningKey.generate()
    pub.write_text(pub.read_text() + verify_key_pem(new_key.verify_key))
    assert store_payload(path, full(centre_key, 1, [DOC])).number == 1
    assert store_payload(path, full(new_key, 2, [DOC, BAN])).number == 2
    pub.write_text(verify_key_pem(new_key.verify_key))  # rotation done: the old key goes
    assert refused(path, full(centre_key, 3, [DOC])) == "foreign_key"
