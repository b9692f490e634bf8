"""The terminal registry and CRL without a broker; `imdms terminal` alone is still the booth."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509

from central.directory.terminals import TerminalRegistry, build_crl, load_ca, write_crl
from imdms.cli import main
from imdms.errors import ConfigError
from tests.directory.pki import make_terminal_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_terminal_pki(tmp_path_factory.mktemp("pki"))


def test_registry_revoke_and_crl(tmp_path: Path, pki: dict[str, Path]) -> None:
    ca = load_ca(pki["ca"].read_bytes(), pki["ca_key"].read_bytes())
    reg = TerminalRegistry(tmp_path / "terminals.json")
    serial = reg.register("MSU-BRIDGE.t1", pki["t1_cert"].read_bytes(), ca)
    reg.register("MSU-BRIDGE.t2", pki["t2_cert"].read_bytes(), ca)
    assert stat.S_IMODE(reg.path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="not registered"):
        reg.revoke("MSU-BRIDGE.t9")
    assert reg.revoke("MSU-BRIDGE.t1", "stolen") and not reg.revoke("MSU-BRIDGE.t1")
    assert set(reg.revoked_serials()) == {serial}
    out = tmp_path / "crl" / "terminals.crl"
    write_crl(out, build_crl(ca, reg.revoked_serials(), days=7))
    crl = x509.load_pem_x509_crl(out.read_bytes())
    assert crl.is_signature_valid(ca.cert.public_key())  # type: ignore[arg-type]
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None
    assert len(list(crl)) == 1 and crl.next_update_utc is not None
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # public; the broker's user reads it
    reg.register("MSU-BRIDGE.t1", pki["t1_cert"].read_bytes(), ca)  # re-registered: active
    assert reg.revoked_serials() == {}


def test_wrong_ca_material_is_refused(tmp_path: Path, pki: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="does not belong"):
        load_ca(pki["ca"].read_bytes(), pki["t1_key"].read_bytes())
    ca = load_ca(pki["ca"].read_bytes(), pki["ca_key"].read_bytes())
    with pytest.raises(ConfigError, match="not issued by"):
        TerminalRegistry(tmp_path / "t.json").register("x", _foreign_cert(tmp_path), ca)


def _foreign_cert(tmp_path: Path) -> bytes:
    return make_terminal_pki(tmp_path / "other")["t1_cert"].read_bytes()


def test_revoke_without_ca_says_what_to_do(tmp_path: Path, pki: dict[str, Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[directory]\nterminals_file = "{tmp_path / "t.json"}"\n')
    assert main(["--config", str(cfg), "terminal", "register", "t1",
                 str(pki["t1_cert"])]) == 0
    assert main(["--config", str(cfg), "terminal", "revoke", "t1"]) == 2
    err = capsys.readouterr().err
    assert "CA is not configured" in err and "ca_cert" in err and "Traceback" not in err


def test_terminal_without_verb_is_still_the_booth(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terminal", "--demo"]) == 2  # no tty under pytest: the booth's own refusal
    assert "needs a terminal" in capsys.readouterr().err
