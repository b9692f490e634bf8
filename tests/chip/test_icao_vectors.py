"""ICAO Doc 9303 Part 11 worked examples: BAC (appendix D) and PACE ECDH-GM (appendix G)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.chip import bac, crypto, pace
from drivers.chip.apdu import CommandApdu
from drivers.chip.bac import MrzKeys
from drivers.chip.ec import BRAINPOOL_P256R1 as BP
from drivers.chip.sm import SecureMessaging
from drivers.chip.tlv import tlv
from drivers.chip.transport import Channel

H = bytes.fromhex


class ScriptedTransport:
    """Replays (expected command, response data, sw) and checks each command byte for byte."""

    def __init__(self, steps: list[tuple[bytes | None, bytes, int]]) -> None:
        self.steps: Iterator[tuple[bytes | None, bytes, int]] = iter(steps)
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        expected, data, sw = next(self.steps)
        if expected is not None:
            assert apdu.hex().upper() == expected.hex().upper()
        return data, sw


# ---- Appendix D: BAC --------------------------------------------------------------------
D_KEYS = MrzKeys("L898902C<", "690806", "940623")


def test_mrz_information_and_key_seed() -> None:
    assert D_KEYS.mrz_information() == "L898902C<369080619406236"
    assert D_KEYS.k_seed_source()[:16] == H("239AB9CB282DAF66231DC5A4DF6BFBAE")


def test_bac_key_derivation() -> None:
    k_enc, k_mac = bac.derive_keys(D_KEYS)
    assert k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_bac_mutual_authentication() -> None:
    e_ifd = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
    m_ifd = H("5F1448EEA8AD90A7")
    e_ic = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F")
    m_ic = H("2F2D235D074D7449")
    transport = ScriptedTransport(
        [
            (H("0084000008"), H("4608F91988702212"), 0x9000),
            (H("0082000028") + e_ifd + m_ifd + H("28"), e_ic + m_ic, 0x9000),
        ]
    )
    randoms = iter([H("781723860C06C226"), H("0B795240CB7049B01C19B33E32804F0B")])
    channel = Channel(transport)
    sm = bac.authenticate(channel, D_KEYS, random=lambda n: next(randoms))
    assert sm.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc == 0x887022120C06C226
    assert channel.sm is sm


def test_bac_secure_messaging() -> None:
    sm = SecureMessaging(
        H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
        H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
        0x887022120C06C226,
        "3DES",
    )
    select = sm.wrap(CommandApdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    assert select.to_bytes() == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert sm.unwrap(H("990290008E08FA855A5D4C50A8ED"), 0x9000) == (b"", 0x9000)
    read4 = sm.wrap(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert read4.to_bytes() == H("0CB000000D9701048E08ED6705417E96BA5500")
    data, sw = sm.unwrap(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED"), 0x9000)
    assert (data, sw) == (H("60145F01"), 0x9000)
    read18 = sm.wrap(CommandApdu(0x00, 0xB0, 0x00, 0x04, le=0x12))
    assert read18.to_bytes() == H("0CB000040D9701128E082EA28A70F3C7B53500")
    data, sw = sm.unwrap(
        H("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D74"),
        0x9000,
    )
    assert data == H("04303130365F36063034303030305C026175")
    assert sm.ssc == 0x887022120C06C22C


def test_bad_response_mac_is_refused() -> None:
    from drivers.chip.errors import SecureMessagingError

    sm = SecureMessaging(
        H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
        H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
        0x887022120C06C227,
        "3DES",
    )
    with pytest.raises(SecureMessagingError):
        sm.unwrap(H("990290008E08FA855A5D4C50A8EE"), 0x9000)


# ---- Appendix G: PACE ECDH generic mapping, brainpoolP256r1, AES-128 -----------------------
G_KEYS = MrzKeys("T22000129", "640812", "101031")
MAP_T_PRIV = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
MAP_T_PUB = H(
    "04"
    "7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
)
MAP_C_PRIV = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
MAP_C_PUB = H(
    "04"
    "824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
)
SHARED_H = H(
    "04"
    "60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
    "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181"
)
MAPPED_G = H(
    "04"
    "8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
    "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
)
AGR_T_PRIV = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
AGR_T_PUB = H(
    "04"
    "2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
)
AGR_C_PUB = H(
    "04"
    "9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
)
SHARED_K = H("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
NONCE = H("3F00C4D39D153F2B2A214A078D899B22")
ENC_NONCE = H("95A3A016522EE98D01E76CB6B98B42C3")
OID_AES = pace.ID_PACE + ".2.2"


def test_pace_password_key_and_nonce() -> None:
    assert G_KEYS.k_seed_source() == H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    k_pi = crypto.kdf(G_KEYS.k_seed_source(), crypto.KDF_PACE, "AES")
    assert k_pi == H("89DED1B26624EC1E634C1989302849DD")
    assert pace.decrypt_nonce("AES", k_pi, ENC_NONCE) == NONCE


def test_pace_generic_mapping_points() -> None:
    assert BP.encode(BP.mul(MAP_T_PRIV, BP.g)) == MAP_T_PUB
    assert BP.encode(BP.mul(MAP_C_PRIV, BP.g)) == MAP_C_PUB
    h = BP.mul(MAP_T_PRIV, BP.decode(MAP_C_PUB))
    assert BP.encode(h) == SHARED_H
    g_new = BP.add(BP.mul(int.from_bytes(NONCE, "big"), BP.g), h)
    assert BP.encode(g_new) == MAPPED_G
    assert BP.encode(BP.mul(AGR_T_PRIV, g_new)) == AGR_T_PUB
    shared = BP.mul(AGR_T_PRIV, BP.decode(AGR_C_PUB))
    assert shared is not None and shared[0].to_bytes(32, "big") == SHARED_K


def test_pace_session_keys_and_tokens() -> None:
    ks_enc = crypto.kdf(SHARED_K, crypto.KDF_ENC, "AES")
    ks_mac = crypto.kdf(SHARED_K, crypto.KDF_MAC, "AES")
    assert ks_enc == H("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert ks_mac == H("FE251C7858B356B24514B3BD5F4297D1")
    assert pace.auth_token("AES", ks_mac, OID_AES, AGR_C_PUB) == H("C2B0BD78D94BA866")
    assert pace.auth_token("AES", ks_mac, OID_AES, AGR_T_PUB) == H("3ABB9674BCE93C08")


def test_pace_full_exchange_reproduces_the_apdus() -> None:
    def ga(cla: int, inner: bytes) -> bytes:
        data = tlv(0x7C, inner)
        return bytes([cla, 0x86, 0, 0, len(data)]) + data + b"\x00"

    transport = ScriptedTransport(
        [
            (H("0022C1A40F800A04007F00070202040202830101"), b"", 0x9000),
            (H("10860000027C0000"), tlv(0x7C, tlv(0x80, ENC_NONCE)), 0x9000),
            (ga(0x10, tlv(0x81, MAP_T_PUB)), tlv(0x7C, tlv(0x82, MAP_C_PUB)), 0x9000),
            (ga(0x10, tlv(0x83, AGR_T_PUB)), tlv(0x7C, tlv(0x84, AGR_C_PUB)), 0x9000),
            (
                H("008600000C7C0A8508C2B0BD78D94BA86600"),
                tlv(0x7C, tlv(0x86, H("3ABB9674BCE93C08"))),
                0x9000,
            ),
        ]
    )
    scalars = iter([MAP_T_PRIV, AGR_T_PRIV])
    channel = Channel(transport)
    info = pace.PaceInfo(OID_AES, 2, 13)
    sm = pace.authenticate(channel, G_KEYS, info, random_scalar=lambda c: next(scalars))
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (
        H("F5F0E35C0D7161EE6724EE513A0D9A7F"),
        H("FE251C7858B356B24514B3BD5F4297D1"),
        0,
    )
    assert channel.apdu_count == 5


def test_card_access_parsing() -> None:
    infos = pace.parse_card_access(H("31143012060A04007F0007020204020202010202010D"))
    assert infos == [pace.PaceInfo(OID_AES, 2, 13)]
    assert pace.choose(infos) == infos[0]
    assert infos[0].describe() == "ECDH-GM AES brainpoolP256r1"
    im_only = pace.parse_card_access(H("31143012060A04007F0007020204040202010202010D"))
    assert pace.choose(im_only) is None


# ---- Doc 9303-11 worked example: PACE generic mapping, DH (RFC 5114 1024-bit group) ----------
def _h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


H_KPI = _h("89DED1B2 6624EC1E 634C1989 302849DD")
H_Z = _h("854D8DF5 827FA685 2D1A4FA7 01CDDDCA")
H_S = _h("FA5B7E3E 49753A0D B9178B7B 9BD898C8")
H_MAP_T = int.from_bytes(_h("5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D"), "big")
H_MAP_C = _h(
    "78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6"
    "23EA5738 B26381E4 DA19E004 706FACE7 B235C2DB F2F38748 312F3C98 C2DD4882"
    "A41947B3 24AA1259 AC22579D B93F7085 655AF308 89DBB845 D9E6783F E42C9F24"
    "49400306 254C8AE8 EE9DD812 A804C0B6 6E8CAFC1 4F84D825 8950A91B 44126EE6"
)
H_G_MAPPED = _h(
    "7C9CBFE9 8F9FBDDA 8D143506 FA7D9306 F4CB17E3 C71707AF F5E1C1A1 23702496"
    "84D64EE3 7AF44B8D BD9D45BF 6023919C BAA027AB 97ACC771 666C8E98 FF483301"
    "BFA4872D EDE9034E DFACB708 14166B7F 36067682 9B826BEA 57291B5A D69FBC84"
    "EF1E7790 32A30580 3F743417 93E86974 2D401325 B37EE856 5FFCDEE6 18342DC5"
)
H_EPH_T = int.from_bytes(_h("89CCD99B 0E8D3B1F 11E1296D CA68EC53 411CF2CA"), "big")
H_EPH_C = _h(
    "075693D9 AE941877 573E634B 6E644F8E 60AF17A0 076B8B12 3D920107 4D36152B"
    "D8B3A213 F53820C4 2ADC79AB 5D0AEEC3 AEFB9139 4DA476BD 97B9B14D 0A65C1FC"
    "71A0E019 CB08AF55 E1F72900 5FBA7E3F A5DC4189 9238A250 767A6D46 DB974064"
    "386CD456 743585F8 E5D90CC8 B4004B1F 6D866C79 CE0584E4 9687FF61 BC29AEA1"
)
H_K = _h(
    "6BABC7B3 A72BCD7E A385E4C6 2DB2625B D8613B24 149E146A 629311C4 CA6698E3"
    "8B834B6A 9E9CD718 4BA8834A FF5043D4 36950C4C 1E783236 7C10CB8C 314D40E5"
    "990B0DF7 013E64B4 549E2270 923D06F0 8CFF6BD3 E977DDE6 ABE4C31D 55C0FA2E"
    "465E553E 77BDF75E 3193D383 4FC26E8E B1EE2FA1 E4FC97C1 8C3F6CFF FE2607FD"
)


def test_pace_dh_generic_mapping_worked_example() -> None:
    """Doc 9303-11 worked example, PACE-DH-GM-AES-CBC-CMAC-128 on RFC 5114 1024/160:
    nonce, mapped generator, shared secret, session keys and both tokens."""
    from drivers.chip.dh import RFC5114_1024_160 as G

    assert pace.decrypt_nonce("AES", H_KPI, H_Z) == H_S
    g_mapped = G.map_generator(int.from_bytes(H_S, "big"), H_MAP_T, G.decode(H_MAP_C))
    assert G.encode(g_mapped) == H_G_MAPPED
    assert G.shared(H_EPH_T, G.decode(H_EPH_C)) == H_K
    ks_enc = crypto.kdf(H_K, crypto.KDF_ENC, "AES")
    ks_mac = crypto.kdf(H_K, crypto.KDF_MAC, "AES")
    assert ks_enc == _h("2F7F46AD CC9E7E52 1B45D192 FAFA9126")
    assert ks_mac == _h("805A1D27 D45A5116 F73C5446 9462B7D8")
    oid = pace.ID_PACE + ".1.2"
    assert pace.auth_token("AES", ks_mac, oid, H_EPH_C) == _h("B46DD9BD 4D98381F")
    ours = G.encode(pow(g_mapped, H_EPH_T, G.p))  # the terminal's ephemeral public key
    assert pace.auth_token("AES", ks_mac, oid, ours) == _h("917F37B5 C0E6D8D1")
