"""A record on the booth's disk (outbox, -wal, -shm) and on a USB stick holds none of the
person's values; signed exports are verified on import; the centre's key opens all of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.loader import load_config
from imdms.cli import main
from messaging.outbox import Outbox
from messaging.seal import Opener
from tests.seal.helpers import Keys, assert_no_secrets, booth_add, person, terminal_config


def raw_files(outbox: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outbox.parent.glob(outbox.name + "*")}


def opener(keys: Keys) -> Opener:
    return Opener.from_pem(keys.central_private.read_text())


def test_outbox_files_hold_no_personal_values(tmp_path: Path, keys: Keys) -> None:
    config = terminal_config(tmp_path, keys, "t1")
    proc, ids = booth_add(config, 3)
    try:
        files = raw_files(load_config(config).outbox_path())
        assert {"outbox.sqlite3", "outbox.sqlite3-wal", "outbox.sqlite3-shm"} <= set(files)
        assert ids[0].encode() in b"".join(files.values())  # the records are there...
        for name, raw in files.items():
            assert_no_secrets(raw, name)  # ...but not the person
    finally:
        proc.communicate("", timeout=20)
    assert proc.returncode == 0
    with Outbox(load_config(config).outbox_path()) as box:
        stored = [record for _state, record in box.iter_all()]
    opened = [opener(keys).open_record(r) for r in stored]
    assert [o["record_id"] for o in opened] == ids
    assert {o["surname"] for o in opened} == {"SEALTESTNAME"}


def export(config: Path, stick: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    stick.mkdir(exist_ok=True)
    assert main(["outbox", "export", str(stick), "--config", str(config)]) == 0
    return Path(capsys.readouterr().out.strip())


def import_(config: Path, file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str,
                                                                                   str]:
    code = main(["outbox", "import", str(file), "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_signed_export_is_sealed_and_imports(tmp_path: Path, keys: Keys,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    offline = terminal_config(tmp_path, keys, "t7")
    online = terminal_config(tmp_path, keys, "t1")
    proc, ids = booth_add(offline, 5)
    proc.communicate("", timeout=20)
    file = export(offline, tmp_path / "usb", capsys)
    raw = file.read_bytes()
    assert_no_secrets(raw, "the export")
    lines = raw.splitlines()
    assert json.loads(lines[0])["imdms_export"] == 1 and b"imdms_signature" in lines[-1]
    code, out, _err = import_(online, file, capsys)
    assert code == 0 and json.loads(out)["queued"] == 5
    target = load_config(online).outbox_path()
    for name, data in raw_files(target).items():
        assert_no_secrets(data, name)
    with Outbox(target) as box:
        opened = [opener(keys).open_record(r) for _s, r in box.iter_all()]
    assert [o["record_id"] for o in opened] == ids
    assert {o["terminal_id"] for o in opened} == {"t7"}
    assert {o["document_number"] for o in opened} == {"SX7654321"}


@pytest.mark.parametrize("damage", ["edit", "drop_signature", "drop_line", "append"])
def test_tampered_export_is_refused(tmp_path: Path, keys: Keys,
                                    capsys: pytest.CaptureFixture[str], damage: str) -> None:
    offline = terminal_config(tmp_path, keys, "t7")
    online = terminal_config(tmp_path, keys, "t1")
    proc, _ids = booth_add(offline, 3)
    proc.communicate("", timeout=20)
    file = export(offline, tmp_path / "usb", capsys)
    lines = file.read_bytes().splitlines(keepends=True)
    if damage == "edit":  # a clear field changed: ADMITTED -> REFUSED
        lines[1] = lines[1].replace(b'"ADMITTED"', b'"REFUSED"')
    elif damage == "drop_signature":
        lines = lines[:-1]
    elif damage == "drop_line":
        del lines[2]
    else:
        lines.append(lines[1])
    file.write_bytes(b"".join(lines))
    code, out, err = import_(online, file, capsys)
    assert code == 2 and "export refused" in err and "nothing was imported" in err
    reason = {"edit": "signature does not match", "drop_signature": "signature line is missing",
              "drop_line": "signature does not match", "append": "lines follow the signature"}
    assert reason[damage] in err
    with Outbox(load_config(online).outbox_path()) as box:
        assert box.status().pending == 0
    assert not list((tmp_path / "t1").glob("import-*"))  # the checked copy is gone


def test_foreign_export_is_refused(tmp_path: Path, keys: Keys,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    offline = terminal_config(tmp_path, keys, "t7")
    online = terminal_config(tmp_path, keys, "t1")
    proc, _ids = booth_add(offline, 2)
    proc.communicate("", timeout=20)
    (tmp_path / "terminal-keys" / "t7.pub").unlink()  # t7 is not one of ours
    file = export(offline, tmp_path / "usb", capsys)
    code, _out, err = import_(online, file, capsys)
    assert code == 2 and "not trusted for terminal t7" in err and "foreign" in err


def test_plain_v1_lines_are_sealed_on_arrival(tmp_path: Path, keys: Keys,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    online = terminal_config(tmp_path, keys, "t1")
    records = [person(terminal_id="t9") for _ in range(3)]
    legacy = tmp_path / "legacy.jsonl"
    legacy.write_text("".join(r.to_json() + "\n" for r in records))
    code, out, err = import_(online, legacy, capsys)
    assert code == 0 and json.loads(out)["queued"] == 3 and "not signed" in err
    target = load_config(online).outbox_path()
    for name, data in raw_files(target).items():
        assert_no_secrets(data, name)
    with Outbox(target) as box:
        opened = {r["record_id"]: opener(keys).open_record(r) for _s, r in box.iter_all()}
    for r in records:
        assert opened[r.record_id] == r.to_dict()


def test_unsigned_refused_when_configured(tmp_path: Path, keys: Keys,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    online = terminal_config(tmp_path, keys, "t1", extra="accept_unsigned_v1 = false\n")
    legacy = tmp_path / "legacy.jsonl"
    legacy.write_text(person().to_json() + "\n")
    code, _out, err = import_(online, legacy, capsys)
    assert code == 2 and "is not signed: refused" in err


def test_rejected_import_lines_are_sealed_in_quarantine(
        tmp_path: Path, keys: Keys, capsys: pytest.CaptureFixture[str]) -> None:
    online = terminal_config(tmp_path, keys, "t1")
    bad = dict(person().to_dict(), decision="NOT_A_DECISION")
    file = tmp_path / "bad.jsonl"
    file.write_text(json.dumps(bad) + "\n")
    code, _out, _err = import_(online, file, capsys)
    assert code == 1
    for name, data in raw_files(load_config(online).outbox_path()).items():
        assert_no_secrets(data, name)


def test_booth_refuses_to_start_without_a_central_key(tmp_path: Path, keys: Keys) -> None:
    from imdms.errors import ConfigError
    from messaging.seal_keys import sealer_for

    config = terminal_config(tmp_path, keys, "t1")
    text = config.read_text().replace(f'central_public_key = "{keys.central_public}"\n', "")
    config.write_text(text)
    with pytest.raises(ConfigError, match="would be stored in clear"):
        sealer_for(load_config(config), required=True)


def test_export_seals_rows_stored_before_sealing(tmp_path: Path, keys: Keys,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = terminal_config(tmp_path, keys, "t7")
    record = person(terminal_id="t7")
    with Outbox(load_config(config).outbox_path(), disk_floor_mb=1) as box:  # no sealer yet
        box.add(record)
    file = export(config, tmp_path / "usb", capsys)
    raw = file.read_bytes()
    assert_no_secrets(raw, "the export")
    line = json.loads(raw.splitlines()[1])
    assert opener(keys).open_record(line) == record.to_dict()


def test_demo_makes_a_throwaway_pair(tmp_path: Path) -> None:
    import stat

    from messaging.seal_keys import DEMO_PRIVATE, demo_sealer

    first = demo_sealer(tmp_path)
    assert stat.S_IMODE((tmp_path / DEMO_PRIVATE).stat().st_mode) == 0o600
    assert demo_sealer(tmp_path).kid == first.kid  # kept across restarts: old records open
    opened = Opener.from_pem((tmp_path / DEMO_PRIVATE).read_text()).open_record(
        first.seal_record(person().to_dict()))
    assert opened["surname"] == "SEALTESTNAME"
