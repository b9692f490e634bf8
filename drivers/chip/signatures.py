"""Signature checks shared by passive authentication, the trust store and the master list.

Every algorithm found on ePassports in circulation: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA (named
or explicit curves, DER or plain r||s signatures) and DSA, with SHA-1 (Doc 9303 6th edition;
accepted with a "deprecated algorithm" note) and the SHA-2 family. Certificates are checked by
hand rather than with `verify_directly_issued_by`, which refuses SHA-1 signatures.
"""

from __future__ import annotations

import hashlib
from typing import Any

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
DEPRECATED = frozenset({"sha1"})
DEPRECATED_NOTE = "deprecated algorithm SHA-1"

__all__ = [
    "verify_signed_data",
    "DEPRECATED",
    "DEPRECATED_NOTE",
    "InvalidSignature",
    "certificate_digest",
    "load_public_key",
    "verify",
    "verify_certificate",
]


def _hash(name: str) -> hashes.HashAlgorithm:
    try:
        return HASHES[name]()
    except KeyError as err:
        raise ValueError(f"unsupported hash algorithm {name}") from err


def signature_digest(sig_algo: algos.SignedDigestAlgorithm, fallback: str) -> str:
    """The hash a signature algorithm uses (`fallback` for bare rsa/ecdsa/dsa OIDs)."""
    try:
        return str(sig_algo.hash_algo)
    except ValueError:
        return fallback


def verify(
    public_key: Any,
    signature: bytes,
    data: bytes,
    sig_algo: algos.SignedDigestAlgorithm,
    digest: str,
) -> None:
    """Check `signature` over `data`. Raises InvalidSignature, or ValueError for an
    unsupported key or algorithm."""
    algo = _hash(signature_digest(sig_algo, digest))
    if isinstance(public_key, rsa.RSAPublicKey):
        if sig_algo.signature_algo == "rsassa_pss":
            params = sig_algo["parameters"]
            pss_hash = _hash(params["hash_algorithm"]["algorithm"].native)
            mgf_hash = _hash(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            pad: padding.AsymmetricPadding = padding.PSS(
                padding.MGF1(mgf_hash), params["salt_length"].native
            )
            public_key.verify(signature, data, pad, pss_hash)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), algo)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        size = (public_key.curve.key_size + 7) // 8
        if len(signature) == 2 * size and signature[0] != 0x30:  # plain r||s (BSI TR-03111)
            signature = encode_dss_signature(
                int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            )
        public_key.verify(signature, data, ec.ECDSA(algo))
    elif isinstance(public_key, dsa.DSAPublicKey):
        public_key.verify(signature, data, algo)
    else:
        raise ValueError("unsupported key type")


def load_public_key(spki_der: bytes) -> Any:
    """A SubjectPublicKeyInfo as a `cryptography` key. Explicit curve parameters that match a
    named curve are accepted (OpenSSL maps them). Raises ValueError when unsupported."""
    try:
        return serialization.load_der_public_key(spki_der)
    except (ValueError, UnsupportedAlgorithm) as err:
        raise ValueError("unsupported public key (unknown curve or algorithm)") from err


def certificate_digest(cert_der: bytes) -> str:
    """The hash the certificate's own signature uses."""
    cert = asn1_x509.Certificate.load(cert_der)
    return signature_digest(cert["signature_algorithm"], "sha256")


def verify_certificate(cert_der: bytes, issuer_key: Any) -> str:
    """Check that `issuer_key` signed the certificate; returns the hash it used.
    Raises InvalidSignature or ValueError."""
    cert = asn1_x509.Certificate.load(cert_der)
    sig_algo = cert["signature_algorithm"]
    digest = signature_digest(sig_algo, "sha256")
    tbs = cert["tbs_certificate"].dump()
    verify(issuer_key, cert["signature_value"].native, tbs, sig_algo, digest)
    return digest


def verify_signed_data(signed: Any) -> tuple[bytes, set[str], Any]:
    """Check a CMS SignedData (EF.SOD, a master list) with the certificate inside it that its
    signer identifier names. Returns (signer certificate DER, hashes used, signing time or
    None). Raises InvalidSignature, or ValueError naming what is wrong."""
    signer = signed["signer_infos"][0]
    certs = signed["certificates"]
    if not certs:
        raise ValueError("no signer certificate inside")
    sid = signer["sid"]
    chosen = None
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
    der = bytes(chosen.dump())
    digest = signer["digest_algorithm"]["algorithm"].native
    content = bytes(signed["encap_content_info"]["content"])  # raw octets, even if parsed
    attrs = signer["signed_attrs"]
    signing_time = None
    if attrs:
        values = {a["type"].native: a["values"][0].native for a in attrs}
        if values.get("message_digest") != hashlib.new(digest, content).digest():
            raise ValueError("the signed message digest does not match the content")
        signing_time = values.get("signing_time")
        to_verify = attrs.untag().dump()
    else:
        to_verify = content
    key = load_public_key(chosen["tbs_certificate"]["subject_public_key_info"].dump())
    sig_algo = signer["signature_algorithm"]
    verify(key, signer["signature"].native, to_verify, sig_algo, digest)
    return der, {digest, signature_digest(sig_algo, digest)}, signing_time
