"""Officer PIN store and `imdms officer`."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import pytest

from imdms.cli import main
from imdms.errors import ConfigError
from terminal.officers import OfficerStore, hash_pin, verify_pin


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost is stored with each hash: a cheaper one keeps these tests fast."""
    monkeypatch.setattr("terminal.officers.SCRYPT_N", 2**10)


def test_hash_round_trip_and_salt() -> None:
    a, b = hash_pin("1234"), hash_pin("1234")
    assert a != b  # salted
    assert "1234" not in a
    assert verify_pin("1234", a) and not verify_pin("1235", a)
    assert not verify_pin("1234", "garbage") and not verify_pin("1234", "")


def test_store_add_verify_remove(tmp_path: Path) -> None:
    store = OfficerStore(tmp_path / "etc" / "officers.toml")
    assert store.ids() == [] and not store.verify("msu-1", "1234")
    store.add("msu-1", "123456")
    store.add("msu-2", "9999")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.ids() == ["msu-1", "msu-2"]
    assert store.verify("msu-1", "123456") and not store.verify("msu-1", "9999")
    assert store.remove("msu-1") and not store.remove("msu-1")
    assert store.ids() == ["msu-2"]
    with pytest.raises(ConfigError):
        store.add("a name with spaces", "1234")
    with pytest.raises(ConfigError):
        store.add("ok", "12ab")


def test_cli_add_list_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "officers.toml"
    monkeypatch.setattr(sys, "stdin", io.StringIO("4321\n"))
    assert main(["officer", "--file", str(path), "add", "bridge-7", "--pin-stdin"]) == 0
    assert OfficerStore(path).verify("bridge-7", "4321")
    assert main(["officer", "--file", str(path), "list"]) == 0
    assert "bridge-7" in capsys.readouterr().out
    assert main(["officer", "--file", str(path), "remove", "bridge-7"]) == 0
    assert main(["officer", "--file", str(path), "remove", "bridge-7"]) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("12\n"))
    assert main(["officer", "--file", str(path), "add", "x", "--pin-stdin"]) == 2
    assert "4 to 12 digits" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_rewrite_keeps_the_owner(tmp_path: Path) -> None:
    """`sudo imdms officer add` must not hand the kiosk user's officers file to root."""
    store = OfficerStore(tmp_path / "etc" / "officers.toml")
    store.add("msu-1", "1234")
    os.chown(store.path, 65534, 65534)  # the kiosk user stands in as nobody:nogroup
    store.add("msu-2", "5678")
    st = store.path.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534)
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert store.ids() == ["msu-1", "msu-2"]
    fresh = OfficerStore(tmp_path / "new" / "officers.toml")
    fresh.add("msu-3", "1234")
    assert fresh.path.stat().st_uid == 0  # a new file belongs to whoever made it
