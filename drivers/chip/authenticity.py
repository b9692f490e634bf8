"""Active and Chip Authentication after passive authentication: is this the genuine chip?

PA proves the data was signed by the issuer; it does not prove the chip is the one the issuer
made (the files can be copied to another chip). AA and CA do: the chip proves it holds the
private key whose public half is in the signed DG15 / DG14. A chip whose data passes PA but
fails AA or CA is a possible clone. Which groups exist is taken from EF.SOD, which PA covers,
not from EF.COM (as TR-03105 advises for DG15).

AA runs first, in the access-control session; CA last, since it replaces the session keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from drivers.chip import aa, ca
from drivers.chip.apdu import INS_READ_BINARY, SW_OK, CommandApdu
from drivers.chip.dg14 import ChipAuthInfo, ChipAuthKey, parse_dg14, parse_dg15
from drivers.chip.ec import CURVES
from drivers.chip.errors import CardProtocolError, StatusWordError
from drivers.chip.files import SFI, FileReader
from drivers.chip.pace import CamData
from drivers.chip.transport import Channel

log = logging.getLogger(__name__)
CLONE_ALERT = (
    "possible cloned chip: the passport's data is validly signed, but the chip could not prove "
    "it is the chip the issuer made; refer the traveller to second line"
)


@dataclass
class Authenticity:
    chip_authentication: dict[str, str] = field(default_factory=dict)
    active_authentication: dict[str, str] = field(default_factory=dict)
    possible_clone: bool = False


def _not(step: str, why: str) -> dict[str, str]:
    return {step: why}


def check(
    channel: Channel,
    files: FileReader,
    read: dict[str, bytes],
    pa: dict[str, str],
    *,
    cam: CamData | None = None,
) -> Authenticity:
    """Run AA (DG15) and CA (DG14) when the chip offers them; `read` holds the files read.
    After PACE-CAM (`cam`) the chip's proof is checked against DG14's key instead of a
    separate CA: PK_Map,IC must equal CA_IC * PK_IC (Doc 9303-11 4.4.3.5.2)."""
    out = Authenticity()
    dg14 = None
    if "DG14" in read:
        try:
            dg14 = parse_dg14(read["DG14"])
        except CardProtocolError:
            log.info("DG14 is malformed")
    # ---- Active Authentication ------------------------------------------------------------
    if "DG15" not in read:
        out.active_authentication = _not("signature", "not offered: the chip has no DG15")
    else:
        step = pa.get("dg15_hash", "not checked: no SOD")
        out.active_authentication = {"dg15": step}
        if not step.startswith("passed"):
            out.active_authentication["signature"] = (
                "not checked: DG15 failed passive authentication"
            )
        else:
            try:
                key = parse_dg15(read["DG15"])
                out.active_authentication["signature"] = aa.active_authenticate(
                    channel, key, dg14.aa_hash if dg14 else None, extended=files.le > 256
                )
            except CardProtocolError as err:
                out.active_authentication["signature"] = f"not checked: {err.message}"
    # ---- Chip Authentication --------------------------------------------------------------
    chosen = dg14.chip_authentication() if dg14 is not None else None
    if cam is not None:
        out.chip_authentication = _check_cam(cam, chosen, pa)
    elif chosen is None:
        out.chip_authentication = _not(
            "key_agreement", "not offered: the chip has no Chip Authentication key in DG14"
        )
    else:
        step = pa.get("dg14_hash", "not checked: no SOD")
        if not step.startswith("passed"):
            out.chip_authentication = {
                "dg14": step,
                "key_agreement": "not checked: DG14 failed passive authentication",
            }
        else:
            info, key = chosen
            out.chip_authentication = {
                "dg14": step,
                **ca.chip_authenticate(channel, info, key, lambda: _prove(channel, files)),
            }
    signed = all(pa.get(k, "").startswith("passed") for k in ("sod_signature", "dg1_hash"))
    failed = [
        out.active_authentication.get("signature", ""),
        out.chip_authentication.get("chip_proof", ""),
        out.chip_authentication.get("pace_cam", ""),
    ]
    out.possible_clone = signed and any("possible clone" in f for f in failed)
    return out


def _check_cam(
    cam: CamData, chosen: tuple[ChipAuthInfo, ChipAuthKey] | None, pa: dict[str, str]
) -> dict[str, str]:
    if chosen is None:
        return {
            "pace_cam": "not checked: the chip's static key is in EF.CardSecurity, which this "
            "terminal does not read (no Chip Authentication key in DG14)"
        }
    step = pa.get("dg14_hash", "not checked: no SOD")
    if not step.startswith("passed"):
        return {"dg14": step, "pace_cam": "not checked: DG14 failed passive authentication"}
    curve = CURVES.get(cam.parameter_id)
    try:
        numbers = chosen[1].public_key().public_numbers()
        if curve is None or not curve.on_curve((numbers.x, numbers.y)):
            raise ValueError("DG14's key is not on the PACE curve")
        expected = curve.encode(curve.mul(cam.ca_ic, (numbers.x, numbers.y)))
    except (ValueError, AttributeError) as err:
        return {"dg14": step, "pace_cam": f"not checked: {err}"}
    if expected != cam.pk_map_ic:
        return {
            "dg14": step,
            "pace_cam": "failed: the chip's mapping key does not match its DG14 key "
            "(possible clone)",
        }
    return {"dg14": step, "pace_cam": "passed"}


def _prove(channel: Channel, files: FileReader) -> None:
    """One protected READ BINARY (1 byte of DG1) that must verify under the new keys."""
    if files.sfi_works is False:
        files.select_by_id("DG1")
        cmd = CommandApdu(0x00, INS_READ_BINARY, 0, 0, le=1)
    else:
        cmd = CommandApdu(0x00, INS_READ_BINARY, 0x80 | SFI["DG1"], 0, le=1)
    data, sw = channel.send(cmd)
    if sw != SW_OK or not data:
        raise StatusWordError("no protected answer after chip authentication", sw)
