"""Passive authentication and the trust store, in-process (pure crypto; the same profiles are
read over PC/SC in test_profiles.py). Cases follow the PA unit of BSI TR-03105 Part 5.1:
algorithms, the CSCA/DS chain, CRLs, validity at signing time, master lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from drivers.chip.pa import passive_authentication
from drivers.chip.trust import load_trust_store
from tools.epassport_sim.pki import TestPki, build_master_list, build_sod, make_test_pki

DG1 = b"\x61\x03\x5f\x1f\x00"


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_test_pki()


@pytest.mark.parametrize(
    ("kind", "digest"),
    [("ec", "sha256"), ("rsa", "sha256"), ("rsa-pss", "sha256"), ("dsa", "sha256")]
    + [("ecdsa-explicit", "sha256"), ("rsa", "sha1"), ("ec", "sha1")],
)
def test_every_algorithm_passes(kind: str, digest: str) -> None:
    """PA: RSA PKCS#1 v1.5, RSA-PSS, ECDSA named/explicit, DSA; SHA-1 with a note."""
    pki = make_test_pki(kind=kind, digest=digest)
    pa = passive_authentication(build_sod({1: DG1}, pki), {1: DG1}, [pki.csca_cert])
    if digest == "sha1":
        assert set(pa.values()) == {"passed (deprecated algorithm SHA-1)"}, pa
    else:
        assert set(pa.values()) == {"passed"}, pa


def test_revoked_ds_fails_with_that_reason(pki: TestPki, tmp_path: Path) -> None:
    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    (tmp_path / "ls.crl").write_bytes(pki.crl([pki.ds_cert.serial_number]))
    store = load_trust_store(tmp_path)
    assert len(store.cscas) == 1 and len(store.crls) == 1
    pa = passive_authentication(build_sod({1: DG1}, pki), {1: DG1}, store.cscas, crls=store.crls)
    assert pa["ds_certificate"].startswith("failed: the document signer certificate is revoked")


def test_crl_not_listing_the_ds_and_forged_crl_are_no_revocation(
    pki: TestPki, tmp_path: Path
) -> None:
    other = make_test_pki()  # same CSCA name, different key: its CRL must not count
    crls_dir = tmp_path / "crls"
    crls_dir.mkdir()
    (crls_dir / "empty.crl").write_bytes(pki.crl([]))
    (crls_dir / "forged.crl").write_bytes(other.crl([pki.ds_cert.serial_number]))
    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    store2 = load_trust_store(tmp_path / "csca.pem", crl_paths=[crls_dir])
    pa = passive_authentication(build_sod({1: DG1}, pki), {1: DG1}, store2.cscas, crls=store2.crls)
    assert pa["ds_certificate"] == "passed"


def test_validity_is_judged_at_signing_time(pki: TestPki) -> None:
    """An SOD signed while the DS was valid passes years later; one signed after the DS
    expired (or before it began) fails."""
    inside = build_sod({1: DG1}, pki, signing_time=datetime.now(UTC))
    later = datetime.now(UTC) + timedelta(days=3000)
    pa = passive_authentication(inside, {1: DG1}, [pki.csca_cert], now=later)
    assert pa["ds_certificate"] == "passed"
    outside = build_sod({1: DG1}, pki, signing_time=datetime.now(UTC) + timedelta(days=400))
    pa = passive_authentication(outside, {1: DG1}, [pki.csca_cert])
    assert (
        pa["ds_certificate"] == "failed: the SOD was signed outside the DS certificate's validity"
    )


def test_master_list_trusted_only_through_its_anchor(pki: TestPki, tmp_path: Path) -> None:
    """The master list's own signature is checked and its signer must chain to an anchor."""
    foreign = make_test_pki("Foreign CSCA")
    ml = tmp_path / "icao.ml"
    ml.write_bytes(build_master_list(pki, [foreign.csca_cert]))
    # no anchor: refused
    store = load_trust_store(ml)
    assert store.cscas == []
    assert "not issued by a configured trust anchor" in store.problems[0]
    # the anchor given: the foreign CSCA is trusted and PA of its passports passes
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    (anchors / "ls.pem").write_bytes(pki.csca_pem())
    store = load_trust_store(ml, anchors=[anchors])
    assert [c.subject for c in store.cscas] == [foreign.csca_cert.subject]
    pa = passive_authentication(build_sod({1: DG1}, foreign), {1: DG1}, store.cscas)
    assert pa["ds_certificate"] == "passed"
    # a tampered master list (one byte of a certificate changed) is refused
    raw = bytearray(ml.read_bytes())
    at = raw.find(foreign.csca_cert.public_bytes(Encoding.DER)[-40:])
    raw[at] ^= 0x01
    ml.write_bytes(bytes(raw))
    store = load_trust_store(ml, anchors=[anchors])
    assert store.cscas == [] and store.problems
