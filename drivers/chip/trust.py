"""The CSCA trust store: certificates, CRLs and ICAO master lists from the configured paths.

A folder (or one file) may hold PEM/DER CSCA certificates, PEM/DER CRLs and master lists.
Loose certificates are trust anchors. A master list's CSCAs are trusted only when its own
signature verifies and its signer certificate was issued by a trust anchor (a loose CSCA, or
one given in `anchors`): a master list is data, not an authority (Doc 9303-12 section 9).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms, core
from cryptography import x509

from drivers.chip.signatures import InvalidSignature, verify_certificate, verify_signed_data

log = logging.getLogger(__name__)


class CscaMasterList(core.Sequence):  # type: ignore[misc]
    _fields = [("version", core.Integer), ("cert_list", cms.CertificateSet)]


@dataclass
class TrustStore:
    cscas: list[x509.Certificate] = field(default_factory=list)
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files not used, and why (no secrets)


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def load_trust_store(
    path: Path, *, anchors: Sequence[Path] = (), crl_paths: Sequence[Path] = ()
) -> TrustStore:
    """Read `path` (folder or file), the extra trust anchors and CRL folders. Raises OSError
    when a path cannot be read; files that are none of the above are skipped (`problems`)."""
    store = TrustStore()
    lists: list[tuple[Path, bytes]] = []
    anchor_certs: list[x509.Certificate] = []
    for f in [*_files(path), *(p for a in crl_paths for p in _files(a))]:
        raw = f.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in raw:
            store.cscas.extend(x509.load_pem_x509_certificates(raw))
        elif b"-----BEGIN X509 CRL-----" in raw:
            store.crls.append(x509.load_pem_x509_crl(raw))
        elif (cert := _der_cert(raw)) is not None:
            store.cscas.append(cert)
        elif (crl := _der_crl(raw)) is not None:
            store.crls.append(crl)
        else:
            lists.append((f, raw))
    for a in anchors:
        for f in _files(a):
            raw = f.read_bytes()
            if b"-----BEGIN CERTIFICATE-----" in raw:
                anchor_certs.extend(x509.load_pem_x509_certificates(raw))
            elif (cert := _der_cert(raw)) is not None:
                anchor_certs.append(cert)
    trusted = [*store.cscas, *anchor_certs]
    for f, raw in lists:
        try:
            store.cscas.extend(_master_list(raw, trusted))
        except ValueError as err:
            store.problems.append(f"{f.name}: {err}")
            log.warning("CSCA store: %s not used: %s", f.name, err)
    return store


def _der_cert(raw: bytes) -> x509.Certificate | None:
    try:
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        return None


def _der_crl(raw: bytes) -> x509.CertificateRevocationList | None:
    try:
        return x509.load_der_x509_crl(raw)
    except ValueError:
        return None


def _master_list(raw: bytes, anchors: list[x509.Certificate]) -> list[x509.Certificate]:
    """The CSCAs of a signed master list whose signer chains to `anchors`. Raises ValueError."""
    try:
        info = cms.ContentInfo.load(raw)
        signed = info["content"]
        content = signed["encap_content_info"]["content"].parsed
        ml = content if isinstance(content, CscaMasterList) else CscaMasterList.load(content.dump())
        certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in ml["cert_list"]]
    except (ValueError, TypeError, KeyError) as err:
        raise ValueError("not a certificate, CRL or master list") from err
    if not signed["signer_infos"]:
        raise ValueError("the master list is not signed")
    try:
        signer_der, _digests, _when = verify_signed_data(signed)
    except InvalidSignature as err:
        raise ValueError("the master list's signature does not verify") from err
    except (ValueError, TypeError, KeyError, IndexError) as err:
        raise ValueError("the master list's signature cannot be checked") from err
    signer = x509.load_der_x509_certificate(signer_der)
    for anchor in anchors:
        if anchor.subject != signer.issuer:
            continue
        try:
            verify_certificate(signer_der, anchor.public_key())
        except (InvalidSignature, ValueError):
            continue
        return certs
    raise ValueError("the master list's signer was not issued by a configured trust anchor")
