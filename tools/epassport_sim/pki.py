"""A test CSCA and document signer, and an SOD signed with them (cryptography + asn1crypto).

Test keys only: made fresh in each test run, never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.x509.oid import NameOID

from drivers.chip.pa import DataGroupHash, DataGroupHashValues, LdsSecurityObject
from drivers.chip.tlv import tlv

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"


@dataclass(frozen=True)
class TestPki:
    """`kind`: ec | rsa | rsa-pss | dsa | ecdsa-explicit; `digest`: sha256 | sha1 (6th ed.).
    `ds_der` is the DS certificate as it goes into the SOD (explicit-curve DS certificates
    cannot be built by `cryptography`, so it is re-encoded here)."""

    __test__ = False  # not a pytest test class
    csca_cert: x509.Certificate
    csca_key: Any
    ds_cert: x509.Certificate
    ds_key: Any
    kind: str = "ec"
    digest: str = "sha256"
    ds_der: bytes = b""

    def csca_pem(self) -> bytes:
        return self.csca_cert.public_bytes(serialization.Encoding.PEM)

    def crl(self, revoked_serials: Sequence[int] = ()) -> bytes:
        """A CRL (DER) from the CSCA listing `revoked_serials` (e.g. the DS's)."""
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.csca_cert.subject)
            .last_update(now - timedelta(hours=1))
            .next_update(now + timedelta(days=30))
        )
        for serial in revoked_serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - timedelta(minutes=30))
                .build()
            )
        crl = builder.sign(self.csca_key, hashes.SHA256(), rsa_padding=self._padding())
        return crl.public_bytes(serialization.Encoding.DER)

    def _padding(self) -> padding.PSS | None:
        return _pss() if self.kind == "rsa-pss" else None


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LS"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key(kind: str) -> Any:
    if kind in ("ec", "ecdsa-explicit"):
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _hash(digest: str) -> hashes.HashAlgorithm:
    return hashes.SHA1() if digest == "sha1" else hashes.SHA256()  # noqa: S303 - 6th edition


def make_test_pki(
    common_name: str = "Test CSCA", *, kind: str = "ec", digest: str = "sha256"
) -> TestPki:
    """A CSCA and a DS certificate it signed (see TestPki for `kind` and `digest`)."""
    now = datetime.now(UTC)
    csca_key = _key(kind)
    csca = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(csca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(csca_key, hashes.SHA256(), rsa_padding=_pss() if kind == "rsa-pss" else None)
    )
    if digest != "sha256":
        csca = x509.load_der_x509_certificate(_resign(_der(csca), csca_key, kind, digest))
    ds_key = _key(kind)
    ds = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Document Signer"))
        .issuer_name(csca.subject)
        .public_key(ds_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(csca_key, hashes.SHA256(), rsa_padding=_pss() if kind == "rsa-pss" else None)
    )
    ds_der = _der(ds)
    if kind == "ecdsa-explicit" or digest != "sha256":
        ds_der = _resign(ds_der, csca_key, kind, digest, explicit=kind == "ecdsa-explicit")
        ds = x509.load_der_x509_certificate(ds_der)
    return TestPki(csca, csca_key, ds, ds_key, kind, digest, ds_der)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _sig_algo(kind: str, digest: str) -> algos.SignedDigestAlgorithm:
    if kind == "rsa-pss":
        return algos.SignedDigestAlgorithm(
            {
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": digest},
                    "mask_gen_algorithm": {
                        "algorithm": "mgf1",
                        "parameters": {"algorithm": digest},
                    },
                    "salt_length": _hash(digest).digest_size,
                },
            }
        )
    suffix = {"ec": "ecdsa", "ecdsa-explicit": "ecdsa", "dsa": "dsa", "rsa": "rsa"}[kind]
    return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_{suffix}"})


def _sign(key: Any, kind: str, digest: str, data: bytes) -> bytes:
    algo = _hash(digest)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return bytes(key.sign(data, ec.ECDSA(algo)))
    if isinstance(key, dsa.DSAPrivateKey):
        return bytes(key.sign(data, algo))
    pad = _pss(digest) if kind == "rsa-pss" else padding.PKCS1v15()
    return bytes(key.sign(data, pad, algo))


def _resign(der: bytes, issuer_key: Any, kind: str, digest: str, explicit: bool = False) -> bytes:
    """The certificate re-signed with `digest` (cryptography refuses to sign with SHA-1), and
    with `explicit` its P-256 key's curve spelled out (specifiedCurve, as some issuers encode
    DS keys)."""
    from asn1crypto import keys

    from drivers.chip.ec import SECP256R1 as P256

    cert = asn1_x509.Certificate.load(der)
    tbs = cert["tbs_certificate"].copy()
    if explicit:
        size = P256.size
        specified = keys.SpecifiedECDomain(
            {
                "version": "ecdpVer1",
                "field_id": {"field_type": "prime_field", "parameters": core.Integer(P256.p)},
                "curve": {"a": P256.a.to_bytes(size, "big"), "b": P256.b.to_bytes(size, "big")},
                "base": P256.encode(P256.g),
                "order": P256.n,
                "cofactor": 1,
            }
        )
        tbs["subject_public_key_info"] = keys.PublicKeyInfo(
            {
                "algorithm": {
                    "algorithm": "ec",
                    "parameters": keys.ECDomainParameters(name="specified", value=specified),
                },
                "public_key": tbs["subject_public_key_info"]["public_key"],
            }
        )
    issuer_kind = "ec" if kind == "ecdsa-explicit" else kind
    tbs["signature"] = _sig_algo(issuer_kind, digest)
    signature = _sign(issuer_key, issuer_kind, digest, tbs.dump(force=True))
    out = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": _sig_algo(issuer_kind, digest),
            "signature_value": signature,
        }
    )
    return bytes(out.dump(force=True))


def _pss(digest: str = "sha256") -> padding.PSS:
    algo = _hash(digest)
    return padding.PSS(padding.MGF1(algo), algo.digest_size)


def build_sod(
    data_groups: Mapping[int, bytes], pki: TestPki, *, signing_time: datetime | None = None
) -> bytes:
    """EF.SOD (tag 77) over `data_groups` (DG number -> file bytes), hashed with `pki.digest`
    and signed by the DS key with its kind's algorithm; a signing-time attribute as issuers add."""
    d = pki.digest
    lso = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": d},
            "data_group_hash_values": DataGroupHashValues(
                [
                    DataGroupHash(
                        {
                            "data_group_number": n,
                            "data_group_hash_value": hashlib.new(d, v).digest(),
                        }
                    )
                    for n, v in sorted(data_groups.items())
                ]
            ),
        }
    )
    content = lso.dump()
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": [LDS_SECURITY_OBJECT_OID]}),
            cms.CMSAttribute(
                {
                    "type": "signing_time",
                    "values": [cms.Time(name="utc_time", value=signing_time or datetime.now(UTC))],
                }
            ),
            cms.CMSAttribute(
                {"type": "message_digest", "values": [hashlib.new(d, content).digest()]}
            ),
        ]
    )
    signature = _sign(pki.ds_key, pki.kind, d, attrs.dump())
    sig_algo = _sig_algo(pki.kind, d)
    ds_asn1 = asn1_x509.Certificate.load(
        pki.ds_der or pki.ds_cert.public_bytes(serialization.Encoding.DER)
    )
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": ds_asn1.issuer,
                        "serial_number": ds_asn1.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": d},
            "signed_attrs": attrs,
            "signature_algorithm": sig_algo,
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": d}],
            "encap_content_info": {
                "content_type": LDS_SECURITY_OBJECT_OID,
                "content": core.ParsableOctetString(content),
            },
            "certificates": [ds_asn1],
            "signer_infos": [signer],
        }
    )
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tlv(0x77, info.dump())


def build_master_list(pki: TestPki, cscas: Sequence[x509.Certificate]) -> bytes:
    """An ICAO CSCA master list (CMS SignedData, Doc 9303-12 section 9) of `cscas`, signed by
    a master list signer certificate that `pki`'s CSCA issued."""
    from drivers.chip.trust import CscaMasterList

    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Master List Signer"))
        .issuer_name(pki.csca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(pki.csca_key, hashes.SHA256(), rsa_padding=pki._padding())
    )
    ml = CscaMasterList(
        {"version": 0, "cert_list": [asn1_x509.Certificate.load(_der(c)) for c in cscas]}
    )
    content = ml.dump()
    attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["2.23.136.1.1.2"]}),
            cms.CMSAttribute(
                {"type": "message_digest", "values": [hashlib.sha256(content).digest()]}
            ),
        ]
    )
    signer_asn1 = asn1_x509.Certificate.load(_der(signer))
    info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": signer_asn1.issuer,
                        "serial_number": signer_asn1.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": _sig_algo("ec", "sha256"),
            "signature": _sign(key, "ec", "sha256", attrs.dump()),
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {
                "content_type": "2.23.136.1.1.2",
                "content": core.ParsableOctetString(content),
            },
            "certificates": [signer_asn1],
            "signer_infos": [info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())
