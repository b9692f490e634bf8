"""Diffie-Hellman groups for PACE-DH generic mapping (Doc 9303-11 section 4.4.3.3.1).

Standardized domain parameter id 0: RFC 5114 section 2.1, the 1024-bit MODP group with a
160-bit prime-order subgroup (the group of the Doc 9303-11 DH worked example). Public values
are sent as big-endian octet strings of the length of p; received ones are checked to lie in
the subgroup (1 < y < p - 1 and y^q = 1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DhGroup:
    name: str
    p: int
    g: int
    n: int  # the subgroup order q (named n like a curve order: scalars are taken mod n)

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def encode(self, y: int) -> bytes:
        return y.to_bytes(self.size, "big")

    def decode(self, data: bytes) -> int:
        """A public value; raises ValueError when outside the prime-order subgroup."""
        y = int.from_bytes(data, "big")
        if not 1 < y < self.p - 1 or pow(y, self.n, self.p) != 1:
            raise ValueError("DH public value outside the group")
        return y

    def map_generator(self, s: int, sk_map: int, chip_map: int) -> int:
        """g~ = g^s * h mod p, h = PK_Map,IC ^ SK_Map,IFD."""
        h = pow(chip_map, sk_map, self.p)
        if h == 1:
            raise ValueError("DH mapping gave the identity")
        return pow(self.g, s, self.p) * h % self.p

    def shared(self, k: int, y: int) -> bytes:
        return self.encode(pow(y, k, self.p))


RFC5114_1024_160 = DhGroup(
    "MODP-1024-160",
    p=int(
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D18"
        "9838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A7372"
        "4EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708"
        "DF1FB2BC2E4A4371",
        16,
    ),
    g=int(
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B"
        "777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76"
        "A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24"
        "855E6EEB22B3B2E5",
        16,
    ),
    n=int("F518AA8781A8DF278ABA4E7D64B7CB9D49462353", 16),
)
# Doc 9303-11 table 6: standardized domain parameter ids of the DH groups supported
DH_GROUPS: dict[int, DhGroup] = {0: RFC5114_1024_160}
