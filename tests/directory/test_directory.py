"""The signed officer directory: wire format, verification, apply, and the booth's sign-in."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from central.directory.officers import DirectoryStore
from messaging.officer_directory import (
    DirectoryOfficer,
    DirectoryRefused,
    RevocationWatch,
    apply_payload,
    document,
    load_verify_keys,
    sign,
    verify,
)
from terminal.officers import OfficerStore, hash_pin


def _signed(key: SigningKey, version: int, officers: dict[str, str],
            revoked: tuple[str, ...] = ()) -> bytes:
    return sign(document(version, [DirectoryOfficer(o, hash_pin(p)) for o, p in officers.items()],
                         dict.fromkeys(revoked, "2026-12-03T10:00:00+00:00"), "2026-12-03"), key)


def test_round_trip_and_refusals(centre_key: SigningKey, public_key_file: Path) -> None:
    keys = load_verify_keys(public_key_file)
    payload = _signed(centre_key, 3, {"msu-1": "1234"}, ("msu-9",))
    d = verify(payload, keys)
    assert d.version == 3 and set(d.officers) == {"msu-1"} and d.revoked == {"msu-9"}
    assert "scrypt" not in repr(d.officers["msu-1"])  # verifiers stay out of reprs
    doc = json.loads(payload)
    unsigned = json.dumps({k: v for k, v in doc.items() if k != "signature"}).encode()
    altered = json.dumps(dict(doc, revoked=[])).encode()
    foreign = _signed(SigningKey.generate(), 3, {"msu-1": "1234"})
    for bad, reason in ((unsigned, "unsigned"), (altered, "signature"),
                        (foreign, "foreign_key"), (b"{", "malformed")):
        with pytest.raises(DirectoryRefused) as err:
            verify(bad, keys)
        assert err.value.reason == reason


def test_rotation_two_keys_in_one_file(tmp_path: Path, centre_key: SigningKey,
                                       public_key_file: Path) -> None:
    from messaging.export_file import verify_key_pem

    new = SigningKey.generate()
    both = tmp_path / "both.pub"
    both.write_text(verify_key_pem(new.verify_key) + public_key_file.read_text())
    keys = load_verify_keys(both)
    assert verify(_signed(centre_key, 1, {}), keys).version == 1
    assert verify(_signed(new, 2, {}), keys).version == 2


def test_apply_is_monotonic_and_0600(tmp_path: Path, centre_key: SigningKey,
                                     public_key_file: Path) -> None:
    keys = load_verify_keys(public_key_file)
    path = tmp_path / "lib" / "officer-directory.json"
    v2 = _signed(centre_key, 2, {"msu-1": "1234"})
    assert apply_payload(path, v2, keys) is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert apply_payload(path, v2, keys) is None  # the retained copy again: nothing to do
    for older in (_signed(centre_key, 1, {"msu-1": "1234"}),
                  _signed(centre_key, 2, {"msu-2": "1234"})):
        with pytest.raises(DirectoryRefused) as err:
            apply_payload(path, older, keys)
        assert err.value.reason == "stale"
    assert path.read_bytes() == v2
    with pytest.raises(DirectoryRefused):
        apply_payload(path, _signed(SigningKey.generate(), 9, {}), keys)
    assert path.read_bytes() == v2


def test_sign_in_uses_the_directory(tmp_path: Path, centre_key: SigningKey,
                                    public_key_file: Path, caplog: pytest.LogCaptureFixture
                                    ) -> None:
    keys = load_verify_keys(public_key_file)
    applied = tmp_path / "officer-directory.json"
    store = OfficerStore(tmp_path / "officers.toml", directory_file=applied,
                         directory_keys=keys)
    store.add("local-1", "1111")
    store.add("msu-9", "9999")  # a booth-local officer the centre later revokes
    assert store.verify("msu-9", "9999") and not store.verify("msu-1", "1234")
    apply_payload(applied, _signed(centre_key, 1, {"msu-1": "1234"}, ("msu-9",)), keys)
    assert store.verify("msu-1", "1234") and store.verify("local-1", "1111")
    assert not store.verify("msu-9", "9999")
    assert store.ids() == ["local-1", "msu-1"]
    store.add("local-2", "2222")  # the local file never receives directory officers
    assert "msu-1" not in store.path.read_text()
    # a directory edited on disk does not verify: ignored (logged), local officers still work
    applied.write_bytes(applied.read_bytes().replace(b'"msu-9"', b'"msu-8"'))
    assert store.verify("local-1", "1111") and not store.verify("msu-1", "1234")
    assert "unusable (signature)" in caplog.text


def test_revocation_watch_signs_out_at_once(tmp_path: Path, centre_key: SigningKey,
                                            public_key_file: Path) -> None:
    keys = load_verify_keys(public_key_file)
    applied = tmp_path / "officer-directory.json"
    out: list[str] = []
    watch = RevocationWatch(applied, keys, out.append)
    assert not watch.check("msu-1")  # no directory yet
    apply_payload(applied, _signed(centre_key, 1, {"msu-1": "1234"}), keys)
    assert not watch.check("msu-1")
    apply_payload(applied, _signed(centre_key, 2, {}, ("msu-1",)), keys)
    assert watch.check("msu-1") and out == ["msu-1"]
    assert not watch.check(None) and not watch.check("msu-2")


def test_centre_store_versions(tmp_path: Path, centre_key: SigningKey,
                               public_key_file: Path) -> None:
    keys = load_verify_keys(public_key_file)
    store = DirectoryStore(tmp_path / "central" / "officers.json")
    store.add("msu-1", hash_pin("1234"), ("officer", "supervisor"))
    v1, p1 = store.publish(centre_key)
    assert v1 == 1 and store.publish(centre_key) == (1, p1)  # unchanged: same bytes again
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.revoke("msu-1") and not store.revoke("msu-1")
    v2, p2 = store.publish(centre_key)
    d = verify(p2, keys)
    assert v2 == 2 and d.revoked == {"msu-1"} and not d.officers
    store.add("msu-1", hash_pin("4321"))  # reinstated
    d3 = verify(store.publish(centre_key)[1], keys)
    assert d3.version == 3 and "msu-1" in d3.officers and not d3.revoked
    rotated = SigningKey.generate()  # a new key alone makes a new version
    v4, p4 = store.publish(rotated)
    assert v4 == 4 and verify(p4, [rotated.verify_key]).version == 4


def test_forwarder_handle_update(tmp_path: Path, centre_key: SigningKey, public_key_file: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    from config.models import Config
    from messaging.officer_directory import booth_directory, handle_update

    cfg = Config.model_validate({"terminal": {"data_dir": str(tmp_path / "lib")}})
    assert booth_directory(cfg) is None
    assert handle_update(cfg, _signed(centre_key, 1, {})) is None  # no key: not applied
    cfg = Config.model_validate({"terminal": {"data_dir": str(tmp_path / "lib")},
                                 "directory": {"public_key": str(public_key_file)}})
    found = handle_update(cfg, _signed(centre_key, 2, {"msu-1": "1234"}))
    assert found is not None and found.version == 2
    assert (tmp_path / "lib" / "officer-directory.json").exists()
    assert handle_update(cfg, _signed(centre_key, 1, {})) is None  # stale: logged, kept
    assert handle_update(cfg, b"") is None
    assert "not newer than the held version 2" in caplog.text
    assert "scrypt" not in caplog.text
