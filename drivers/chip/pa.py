"""Passive authentication (Doc 9303-11 section 5.1) with cryptography and asn1crypto.

Three steps, each reported on its own as "passed", "failed: why" or "not checked: why":
  dg_hashes:      every data group read hashes to the value the SOD lists for it (one entry per DG);
  sod_signature:  the SOD's CMS signature verifies with the document signer (DS) certificate;
  ds_certificate: the DS certificate was issued and signed by a CSCA in the configured store
                  (drivers.chip.trust), is not on that CSCA's CRL, and was valid at signing time.
SHA-1 (Doc 9303 6th edition) passes with the note "deprecated algorithm SHA-1".
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms, core
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from drivers.chip.errors import CardProtocolError
from drivers.chip.signatures import (
    DEPRECATED,
    DEPRECATED_NOTE,
    InvalidSignature,
    verify_certificate,
    verify_signed_data,
)
from drivers.chip.tlv import unwrap
from drivers.chip.trust import CscaMasterList, load_trust_store

__all__ = [
    "CscaMasterList",
    "check_document_signer",
    "load_csca_store",
    "passive_authentication",
    "sod_data_groups",
]
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


def load_csca_store(path: Path) -> list[x509.Certificate]:
    """The trusted CSCA certificates of a folder or file (see drivers.chip.trust)."""
    return load_trust_store(path).cscas


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


def _note(result: str, notes: list[str]) -> str:
    return f"{result} ({'; '.join(notes)})" if notes and result == PASSED else result


def passive_authentication(
    sod: bytes,
    data_groups: Mapping[int, bytes],
    csca: list[x509.Certificate] | None,
    *,
    now: datetime | None = None,
    crls: list[x509.CertificateRevocationList] | None = None,
) -> dict[str, str]:
    """Step -> result. `data_groups` maps DG number -> the file's bytes as read; `crls` are
    the store's CRLs (a revoked DS fails the ds_certificate step)."""
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
        elif hashlib.new(digest, content).digest() != listed[number]:
            result[key] = "failed: the data group does not match its signed hash (altered?)"
        else:
            result[key] = PASSED
    sha1 = [DEPRECATED_NOTE] if digest in DEPRECATED else []
    for key in result:
        result[key] = _note(result[key], sha1)
    # SOD signature
    ds_der: bytes | None = None
    signing_time: datetime | None = None
    try:
        ds_der, used, signing_time = verify_signed_data(signed)
        result["sod_signature"] = _note(PASSED, [DEPRECATED_NOTE] if used & DEPRECATED else [])
    except InvalidSignature:
        result["sod_signature"] = (
            "failed: the SOD signature does not verify with its DS certificate"
        )
    except ValueError as err:
        result["sod_signature"] = f"failed: {err}"
    except (TypeError, KeyError, IndexError):
        result["sod_signature"] = "failed: the SOD signature could not be checked"
    if ds_der is None and signed["certificates"]:
        ds_der = bytes(signed["certificates"][0].chosen.dump())
    # DS certificate against the CSCA store
    if ds_der is None:
        result["ds_certificate"] = "not checked: no document signer certificate"
    elif not csca:
        result["ds_certificate"] = "not checked: no CSCA store configured"
    else:
        result["ds_certificate"] = check_document_signer(
            ds_der, csca, crls or [], signing_time, now or datetime.now(UTC)
        )
    return result


def check_document_signer(
    ds_der: bytes,
    csca: list[x509.Certificate],
    crls: list[x509.CertificateRevocationList],
    signing_time: datetime | None,
    now: datetime,
) -> str:
    """The ds_certificate step: issued by a CSCA in the store, not revoked by its CRL, valid
    when the SOD was signed (`signing_time`; without it, now, and an expired DS passes with a
    note since DS certificates may expire before the passports they signed, Doc 9303-12)."""
    try:
        ds = x509.load_der_x509_certificate(ds_der)
    except ValueError:
        return "failed: the DS certificate cannot be parsed"
    issuers = [c for c in csca if c.subject == ds.issuer]
    if not issuers:
        return "failed: no CSCA in the store issued this document signer (unknown country key)"
    for ca in issuers:
        try:
            digest = verify_certificate(ds_der, ca.public_key())
        except (InvalidSignature, ValueError, TypeError):
            continue
        notes = [DEPRECATED_NOTE] if digest in DEPRECATED else []
        issued = ds.not_valid_before_utc
        if not ca.not_valid_before_utc <= issued <= ca.not_valid_after_utc:
            return "failed: the CSCA was not valid when it issued the DS certificate"
        revoked = _revoked(ds, ca, crls)
        if revoked:
            return revoked
        when = signing_time.astimezone(UTC) if signing_time is not None else None
        if when is not None:
            if not ds.not_valid_before_utc <= when <= ds.not_valid_after_utc:
                return "failed: the SOD was signed outside the DS certificate's validity"
        elif not ds.not_valid_before_utc <= now <= ds.not_valid_after_utc:
            notes.insert(0, "DS certificate outside its validity period")
        return _note(PASSED, notes)
    return "failed: the DS certificate signature does not verify with the issuing CSCA"


def _revoked(
    ds: x509.Certificate, ca: x509.Certificate, crls: list[x509.CertificateRevocationList]
) -> str | None:
    for crl in crls:
        if crl.issuer != ca.subject:
            continue
        try:
            valid = crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
        except (ValueError, TypeError, UnsupportedAlgorithm):
            valid = False
        if not valid:
            log.warning("a CRL in the CSCA store does not verify with its CSCA: ignored")
            continue
        if crl.get_revoked_certificate_by_serial_number(ds.serial_number) is not None:
            return "failed: the document signer certificate is revoked (its CSCA's CRL lists it)"
    return None
