"""Elliptic-curve arithmetic for PACE generic mapping.

PACE maps a new generator G~ = s*G + H, and `cryptography` only computes on the standard
generator, so the few point operations PACE needs are done here (affine coordinates; a 256-bit
scalar multiplication takes a few milliseconds). Points are (x, y) tuples; None is infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Point = tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    g: tuple[int, int]
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def on_curve(self, pt: Point) -> bool:
        if pt is None:
            return False
        x, y = pt
        return (
            0 <= x < self.p
            and 0 <= y < self.p
            and (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0
        )

    def add(self, p1: Point, p2: Point) -> Point:
        if p1 is None:
            return p2
        if p2 is None:
            return p1
        (x1, y1), (x2, y2) = p1, p2
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if p1 == p2:
            lam = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p)
        else:
            lam = (y2 - y1) * pow(x2 - x1, -1, self.p)
        lam %= self.p
        x3 = (lam * lam - x1 - x2) % self.p
        return x3, (lam * (x1 - x3) - y1) % self.p

    def mul(self, k: int, pt: Point) -> Point:
        """k * pt in Jacobian coordinates (one inversion at the end)."""
        if pt is None or k % self.n == 0:
            return None
        p = self.p
        acc: tuple[int, int, int] | None = None
        base = (pt[0], pt[1], 1)
        for bit in bin(k)[2:]:
            if acc is not None:
                acc = self._double(acc)
            if bit == "1":
                acc = base if acc is None else self._add_mixed(acc, pt)
        if acc is None or acc[2] == 0:
            return None
        x, y, z = acc
        zi = pow(z, -1, p)
        zi2 = zi * zi % p
        return x * zi2 % p, y * zi2 * zi % p

    def _double(self, q: tuple[int, int, int]) -> tuple[int, int, int]:
        x, y, z = q
        p = self.p
        if y == 0 or z == 0:
            return (1, 1, 0)
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self.a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        y3 = (m * (s - x3) - 8 * yy * yy) % p
        return x3, y3, 2 * y * z % p

    def _add_mixed(self, q: tuple[int, int, int], pt: tuple[int, int]) -> tuple[int, int, int]:
        x1, y1, z1 = q
        if z1 == 0:
            return (pt[0], pt[1], 1)
        p = self.p
        z1z1 = z1 * z1 % p
        u2 = pt[0] * z1z1 % p
        s2 = pt[1] * z1 * z1z1 % p
        h = (u2 - x1) % p
        r = (s2 - y1) % p
        if h == 0:
            return self._double(q) if r == 0 else (1, 1, 0)
        hh = h * h % p
        hhh = h * hh % p
        v = x1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        y3 = (r * (v - x3) - y1 * hhh) % p
        return x3, y3, z1 * h % p

    def mul_g(self, k: int) -> tuple[int, int]:
        """k * G on the standard generator, in OpenSSL (fast). 0 < k < n."""
        from cryptography.hazmat.primitives.asymmetric import ec

        numbers = ec.derive_private_key(k, _openssl_curve(self.name)).public_key().public_numbers()
        return numbers.x, numbers.y

    def shared_x(self, k: int, pt: tuple[int, int]) -> bytes:
        """x(k * pt) as bytes (ECDH), in OpenSSL; raises ValueError for an invalid point."""
        from cryptography.hazmat.primitives.asymmetric import ec

        curve = _openssl_curve(self.name)
        public = ec.EllipticCurvePublicNumbers(pt[0], pt[1], curve).public_key()
        return ec.derive_private_key(k, curve).exchange(ec.ECDH(), public)

    def encode(self, pt: Point) -> bytes:
        """Uncompressed point 04||X||Y."""
        if pt is None:
            raise ValueError("point at infinity")
        return b"\x04" + pt[0].to_bytes(self.size, "big") + pt[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> tuple[int, int]:
        """Uncompressed point; raises ValueError when malformed or not on the curve."""
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            raise ValueError("not an uncompressed point")
        pt = (
            int.from_bytes(data[1 : 1 + self.size], "big"),
            int.from_bytes(data[1 + self.size :], "big"),
        )
        if not self.on_curve(pt):
            raise ValueError("point not on the curve")
        return pt


def _openssl_curve(name: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return {"brainpoolP256r1": ec.BrainpoolP256R1, "secp256r1": ec.SECP256R1}[name]()


BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    g=(
        0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
        0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    ),
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)

_P256 = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
SECP256R1 = Curve(
    "secp256r1",
    p=_P256,
    a=_P256 - 3,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    g=(
        0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    ),
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)

# Doc 9303-11 table 6: standardized domain parameter ids.
CURVES: dict[int, Curve] = {12: SECP256R1, 13: BRAINPOOL_P256R1}
