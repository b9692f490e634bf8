"""A test CSCA and document signer, and an SOD signed with them (cryptography + asn1crypto).

Test keys only: made fresh in each test run, never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from drivers.chip.pa import DataGroupHash, DataGroupHashValues, LdsSecurityObject
from drivers.chip.tlv import tlv

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # not a pytest test class
    csca_cert: x509.Certificate
    csca_key: Any
    ds_cert: x509.Certificate
    ds_key: Any
    kind: str = "ec"

    def csca_pem(self) -> bytes:
        return self.csca_cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LS"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key(kind: str) -> Any:
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_test_pki(common_name: str = "Test CSCA", *, kind: str = "ec") -> TestPki:
    """`kind`: "ec" (ECDSA P-256), "rsa" (PKCS#1 v1.5) or "rsa-pss" (RSASSA-PSS), SHA-256."""
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
    return TestPki(csca, csca_key, ds, ds_key, kind)


def _pss() -> padding.PSS:
    return padding.PSS(padding.MGF1(hashes.SHA256()), 32)


def build_sod(data_groups: Mapping[int, bytes], pki: TestPki) -> bytes:
    """EF.SOD (tag 77) over `data_groups` (DG number -> file bytes), SHA-256, ECDSA by the DS."""
    lso = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": DataGroupHashValues(
                [
                    DataGroupHash(
                        {
                            "data_group_number": n,
                            "data_group_hash_value": hashlib.sha256(v).digest(),
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
                {"type": "message_digest", "values": [hashlib.sha256(content).digest()]}
            ),
        ]
    )
    if pki.kind == "ec":
        signature = pki.ds_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        sig_algo = algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    elif pki.kind == "rsa":
        signature = pki.ds_key.sign(attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        sig_algo = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
    else:
        signature = pki.ds_key.sign(attrs.dump(), _pss(), hashes.SHA256())
        sig_algo = algos.SignedDigestAlgorithm(
            {
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "mask_gen_algorithm": {
                        "algorithm": "mgf1",
                        "parameters": {"algorithm": "sha256"},
                    },
                    "salt_length": 32,
                },
            }
        )
    ds_asn1 = asn1_x509.Certificate.load(pki.ds_cert.public_bytes(serialization.Encoding.DER))
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
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": sig_algo,
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
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
