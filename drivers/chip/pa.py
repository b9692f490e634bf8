"""Passive authentication (Doc 9303-11 section 5.1) with cryptography and asn1crypto.

Three steps, each reported on its own as "passed", "failed: why" or "not checked: why":
  dg_hashes:      every data group read hashes to the value the SOD lists for it (one entry per DG);
  sod_signature:  the SOD's CMS signature verifies with the document signer (DS) certificate;
  ds_certificate: the DS certificate was issued and signed by a CSCA in the configured store
                  (a folder of PEM/DER certificates, or an ICAO master list).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from drivers.chip.errors import CardProtocolError
from drivers.chip.tlv import unwrap

log = logging.getLogger(__name__)
PASSED = "passed"


class DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", cms.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", core.Any, {"optional": True}),
    ]


class CscaMasterList(core.Sequence):  # type: ignore[misc]
    _fields = [("version", core.Integer), ("cert_list", cms.CertificateSet)]


_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha1": hashes.SHA1(),
    "sha224": hashes.SHA224(),
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def sod_data_groups(sod: bytes) -> tuple[str, ...]:
    """The data groups EF.SOD holds hashes for ("DG1", "DG2", ...): the list a chip without
    EF.COM gives. Raises CardProtocolError when the SOD cannot be parsed."""
    try:
        info = cms.ContentInfo.load(unwrap(sod, 0x77))
        lso = LdsSecurityObject.load(info["content"]["encap_content_info"]["content"].native)
        numbers = sorted(int(h["data_group_number"].native) for h in lso["data_group_hash_values"])
    except (ValueError, TypeError, KeyError) as err:
        raise CardProtocolError("the chip's EF.SOD is not a readable security object") from err
    return tuple(f"DG{n}" for n in numbers)


def _hash(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def load_csca_store(path: Path) -> list[x509.Certificate]:
    """CSCA certificates from a folder (PEM/DER files) or one file (PEM, DER or master list)."""
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    certs: list[x509.Certificate] = []
    for f in files:
        raw = f.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in raw:
            certs.extend(x509.load_pem_x509_certificates(raw))
            continue
        try:
            certs.append(x509.load_der_x509_certificate(raw))
            continue
        except ValueError:
            pass
        try:  # ICAO master list: CMS SignedData whose content is a CscaMasterList
            info = cms.ContentInfo.load(raw)
            content = info["content"]["encap_content_info"]["content"].parsed
            ml = (
                CscaMasterList.load(content.dump())
                if not isinstance(content, CscaMasterList)
                else content
            )
            for choice in ml["cert_list"]:
                certs.append(x509.load_der_x509_certificate(choice.chosen.dump()))
        except (ValueError, TypeError, KeyError):
            log.warning("CSCA store: skipped a file that is not a certificate or master list")
    return certs


def _verify(
    public_key: object,
    signature: bytes,
    data: bytes,
    sig_algo: cms.SignedDigestAlgorithm,
    digest: str,
) -> None:
    """Raises InvalidSignature / ValueError."""
    algo = _HASHES[digest]
    if isinstance(public_key, rsa.RSAPublicKey):
        if sig_algo.signature_algo == "rsassa_pss":
            params = sig_algo["parameters"]
            pss_hash = _HASHES[params["hash_algorithm"]["algorithm"].native]
            public_key.verify(
                signature,
                data,
                padding.PSS(padding.MGF1(pss_hash), params["salt_length"].native),
                pss_hash,
            )
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), algo)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        if sig_algo.signature_algo == "ecdsa" and len(signature) == 2 * (
            (public_key.curve.key_size + 7) // 8
        ):  # plain (r||s) ECDSA, as some issuers encode it
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

            half = len(signature) // 2
            signature = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
        public_key.verify(signature, data, ec.ECDSA(algo))
    else:
        raise ValueError("unsupported DS key type")


def passive_authentication(
    sod: bytes,
    data_groups: Mapping[int, bytes],
    csca: list[x509.Certificate] | None,
    *,
    now: datetime | None = None,
) -> dict[str, str]:
    """Step -> result. `data_groups` maps DG number -> the file's bytes as read."""
    result: dict[str, str] = {}
    try:
        info = cms.ContentInfo.load(unwrap(sod, 0x77))
        signed = info["content"]
        lso = LdsSecurityObject.load(signed["encap_content_info"]["content"].native)
        digest = lso["hash_algorithm"]["algorithm"].native
        listed = {
            int(h["data_group_number"].native): h["data_group_hash_value"].native
            for h in lso["data_group_hash_values"]
        }
    except (ValueError, TypeError, KeyError) as err:
        log.info("SOD could not be parsed: %s", type(err).__name__)
        return {
            "sod": "failed: the SOD is not a valid signed security object",
            "dg_hashes": "not checked: no readable SOD",
            "sod_signature": "not checked: no readable SOD",
            "ds_certificate": "not checked: no readable SOD",
        }
    for number, content in sorted(data_groups.items()):
        key = f"dg{number}_hash"
        if number not in listed:
            result[key] = "failed: the SOD lists no hash for this data group"
        elif _hash(digest, content) != listed[number]:
            result[key] = "failed: the data group does not match its signed hash (altered?)"
        else:
            result[key] = PASSED
    # SOD signature
    ds_cert: x509.Certificate | None = None
    try:
        signer = signed["signer_infos"][0]
        certs = signed["certificates"]
        if not certs:
            raise ValueError("no document signer certificate in the SOD")
        sid = signer["sid"]
        chosen: asn1_x509.Certificate | None = None
        for c in certs:
            cert = c.chosen
            if sid.name == "issuer_and_serial_number":
                if (
                    cert.issuer == sid.chosen["issuer"]
                    and cert.serial_number == sid.chosen["serial_number"].native
                ):
                    chosen = cert
            elif cert.key_identifier == sid.chosen.native:
                chosen = cert
        if chosen is None:
            chosen = certs[0].chosen
        ds_cert = x509.load_der_x509_certificate(chosen.dump())
        signer_digest = signer["digest_algorithm"]["algorithm"].native
        content = signed["encap_content_info"]["content"].native
        attrs = signer["signed_attrs"]
        if attrs:
            md = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
            if md != _hash(signer_digest, content):
                raise ValueError("the signed message digest does not match the SOD content")
            to_verify = attrs.untag().dump()
        else:
            to_verify = content
        _verify(
            ds_cert.public_key(),
            signer["signature"].native,
            to_verify,
            signer["signature_algorithm"],
            signer_digest,
        )
        result["sod_signature"] = PASSED
    except InvalidSignature:
        result["sod_signature"] = (
            "failed: the SOD signature does not verify with its DS certificate"
        )
    except (ValueError, TypeError, KeyError, IndexError, StopIteration) as err:
        result["sod_signature"] = (
            f"failed: {err}"
            if isinstance(err, ValueError)
            else "failed: the SOD signature could not be checked"
        )
    # DS certificate against the CSCA store
    if ds_cert is None:
        result["ds_certificate"] = "not checked: no document signer certificate"
    elif not csca:
        result["ds_certificate"] = "not checked: no CSCA store configured"
    else:
        result["ds_certificate"] = _check_ds(ds_cert, csca, now or datetime.now(UTC))
    return result


def _check_ds(ds: x509.Certificate, csca: list[x509.Certificate], now: datetime) -> str:
    issuers = [c for c in csca if c.subject == ds.issuer]
    if not issuers:
        return "failed: no CSCA in the store issued this document signer (unknown country key)"
    for ca in issuers:
        try:
            ds.verify_directly_issued_by(ca)
        except (InvalidSignature, ValueError, TypeError):
            continue
        if not ds.not_valid_before_utc <= now <= ds.not_valid_after_utc:
            # DS certificates may expire before the passports they signed (Doc 9303-12)
            return f"{PASSED} (DS certificate outside its validity period)"
        return PASSED
    return "failed: the DS certificate signature does not verify with the issuing CSCA"
