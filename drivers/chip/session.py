"""One chip read: access control (PACE first when offered, else BAC), the files, and checks.

`read_passport` is transport-agnostic. `partial` carries bytes already read across sessions:
when the card leaves the field mid-read the caller keeps it and the next session resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography import x509

from drivers.chip import authenticity, bac, pace
from drivers.chip.bac import AccessKey, CanKey, MrzKeys
from drivers.chip.errors import (
    CanNotUsableError,
    CardProtocolError,
    ChipError,
    PaceRequiredError,
    SecureMessagingError,
    StatusWordError,
    WrongKeysError,
)
from drivers.chip.files import (
    EXTENDED_LE,
    FileNotFound,
    FileReader,
    select_emrtd,
    select_master_file,
)
from drivers.chip.lds import FaceImage, parse_com, parse_dg1, parse_dg2, to_png
from drivers.chip.pa import passive_authentication, sod_data_groups
from drivers.chip.transport import Channel, Transport
from imdms.errors import ReaderIOError

log = logging.getLogger(__name__)
DG_NUMBERS = {"DG1": 1, "DG2": 2, "DG14": 14, "DG15": 15}
Trust = tuple[Sequence[x509.Certificate] | None, Sequence[x509.CertificateRevocationList]]
FILE_ORDER = ("COM", "DG1", "DG2", "DG14", "DG15", "SOD")


@dataclass
class ChipResult:
    """Everything one read produced. Personal data: never log the fields."""

    protocol: str
    data_groups: tuple[str, ...]  # files read: COM, DG1, DG2, SOD
    listed_groups: tuple[str, ...]  # data groups EF.COM (or, without it, EF.SOD) lists
    dg1_lines: tuple[str, ...] = field(repr=False)
    face: FaceImage | None = field(repr=False)
    face_png: bytes | None = field(repr=False)
    passive_authentication: dict[str, str]
    apdu_count: int
    seconds: float
    le: int
    files: dict[str, bytes] = field(repr=False, default_factory=dict)
    file_access: str = "sfi"  # "sfi" or "select" (the chip refused short file ids)
    chip_authentication: dict[str, str] = field(default_factory=dict)  # step -> result
    active_authentication: dict[str, str] = field(default_factory=dict)  # step -> result
    possible_clone: bool = False  # PA passed but CA or AA failed


@dataclass
class ResumeState:
    """Bytes read so far, per file, for one set of keys."""

    keys_id: bytes = b""
    partial: dict[str, bytearray] = field(default_factory=dict, repr=False)
    protocol: str | None = None  # PACE or BAC: skip discovery when resuming
    le_cap: int | None = None  # set when an extended-length exchange failed at the reader

    def bytes_kept(self) -> int:
        return sum(len(v) for v in self.partial.values())


def _try_card_access(reader: FileReader, by_id: bool = False) -> tuple[pace.PaceInfo | None, int]:
    """The PACE entry to use (None: BAC) and how many PACE entries the chip lists. A 6A82 to
    the short file id is taken as "no EF.CardAccess" unless `by_id` (then SELECT confirms)."""
    try:
        raw = reader.read("CardAccess", by_id_on_6a82=by_id)
    except (FileNotFound, StatusWordError, CardProtocolError):
        return None, 0
    try:
        infos = pace.parse_card_access(raw)
    except CardProtocolError:
        return None, 0
    return pace.choose(infos), len(infos)


def read_passport(
    transport: Transport,
    keys: AccessKey,
    *,
    max_le: int = EXTENDED_LE,
    csca: Sequence[x509.Certificate] | None = None,
    crls: Sequence[x509.CertificateRevocationList] = (),
    resume: ResumeState | None = None,
    use_pace: bool = True,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ChipResult:
    """Read COM, DG1, DG2 and SOD and run passive authentication. Raises ChipError subclasses;
    on CardRemovedError `resume` holds what was read for the next call. `progress(file,
    bytes_read, total_or_None)` is called after every READ BINARY (from the reading thread)."""
    started = time.monotonic()
    state = resume if resume is not None else ResumeState()
    kid = keys.k_seed_source()
    if state.keys_id != kid:
        state.keys_id, state.partial, state.protocol = kid, {}, None
    channel = Channel(transport)
    files = FileReader(channel, min(max_le, state.le_cap or max_le), state.partial, progress)
    try:
        return _read(channel, files, keys, state, (csca, crls), use_pace, started)
    except ReaderIOError as err:
        if files.extended_failed:
            state.le_cap = 0xFF
        elif files.desync_risk and _sm_broken(err):
            log.info("secure messaging broke after a refused extended APDU; restart with short Le")
            state.le_cap = 0xFF
        raise


def _sm_broken(err: ReaderIOError) -> bool:
    return isinstance(err, SecureMessagingError) or (
        isinstance(err, StatusWordError) and err.sw in (0x6987, 0x6988)
    )


def _read(
    channel: Channel,
    files: FileReader,
    keys: AccessKey,
    state: ResumeState,
    trust: Trust,
    use_pace: bool,
    started: float,
) -> ChipResult:
    info, listed = None, 0
    if use_pace and state.protocol != "BAC":
        info, listed = _try_card_access(files)
        state.partial.pop("CardAccess", None)
    protocol = "BAC"
    cam: list[pace.CamData] = []
    if info is not None:
        try:
            pace.authenticate(channel, keys, info, with_parameter_id=listed > 1, cam_out=cam)
            protocol = "PACE-CAM" if info.cam else "PACE"
        except (StatusWordError, CardProtocolError) as err:
            log.info("PACE failed (%s); falling back to BAC", err.kind)
            channel.sm = None
    if protocol == "BAC" and isinstance(keys, CanKey):
        raise CanNotUsableError(
            "the chip offers no PACE this terminal supports, so the card access number "
            "cannot open it"
        )
    if protocol == "BAC":
        assert isinstance(keys, MrzKeys)
        select_emrtd(channel)
        try:
            bac.authenticate(channel, keys)
        except PaceRequiredError as err:
            if use_pace and info is None and files.sfi_works is None:
                # a PACE-only chip that answered 6A82 to EF.CardAccess's short file id may
                # still have it: look by file id before giving up
                files.partial.pop("CardAccess", None)
                select_master_file(channel)
                info, listed = _try_card_access(files, by_id=True)
                files.partial.pop("CardAccess", None)
                if info is not None:
                    pace.authenticate(
                        channel, keys, info, with_parameter_id=listed > 1, cam_out=cam
                    )
                    select_emrtd(channel)
                    state.protocol = "PACE"
                    name = "PACE-CAM" if info.cam else "PACE"
                    return _read_files(channel, files, state, trust, started, name, cam)
            raise PaceRequiredError(
                "the chip only accepts PACE and offers no PACE parameters this terminal supports"
                if info is None or not use_pace
                else "the chip refused both PACE and Basic Access Control",
                sw=err.sw,
            ) from err
    else:
        select_emrtd(channel)
    state.protocol = "PACE" if protocol.startswith("PACE") else protocol
    return _read_files(channel, files, state, trust, started, protocol, cam)


def _read_files(
    channel: Channel,
    files: FileReader,
    state: ResumeState,
    trust: Trust,
    started: float,
    protocol: str,
    cam: list[pace.CamData],
) -> ChipResult:
    read: dict[str, bytes] = {}
    try:
        read["COM"] = files.read("COM")
        listed = parse_com(read["COM"]).data_groups
    except FileNotFound:  # optional in newer LDS: EF.SOD lists the data groups instead
        read["SOD"] = files.read("SOD")
        listed = sod_data_groups(read["SOD"])
    read["DG1"] = files.read("DG1")
    if "SOD" not in read:
        try:  # EF.COM does not list the SOD; read before DG2, it tells a slow chip early
            read["SOD"] = files.read("SOD")
        except FileNotFound:
            pass
    if "DG2" in listed:
        read["DG2"] = files.read("DG2")
    signed_groups: tuple[str, ...] = ()
    if "SOD" in read:
        try:  # AA/CA groups are looked up in the SOD (signed), not EF.COM
            signed_groups = sod_data_groups(read["SOD"])
        except CardProtocolError:
            pass
    for name in ("DG14", "DG15"):
        if name in signed_groups or name in listed:
            try:
                read[name] = files.read(name)
            except FileNotFound:
                log.info("%s listed but absent", name)
    read = {name: read[name] for name in FILE_ORDER if name in read}
    dg1_lines = parse_dg1(read["DG1"])
    face = face_png = None
    if "DG2" in read:
        try:
            face = parse_dg2(read["DG2"])
            face_png = to_png(face)
        except CardProtocolError as err:
            log.info("DG2 face image unusable: %s", err.message)
    if "SOD" in read:
        groups = {DG_NUMBERS[n]: read[n] for n in DG_NUMBERS if n in read}
        csca, crls = trust
        pa_result = passive_authentication(
            read["SOD"], groups, list(csca) if csca else None, crls=list(crls)
        )
    else:
        pa_result = {"sod": "failed: the chip holds no SOD (EF.SOD missing)"}
    checks = authenticity.check(channel, files, read, pa_result, cam=cam[0] if cam else None)
    state.partial.clear()
    return ChipResult(
        protocol=protocol,
        data_groups=tuple(read),
        listed_groups=listed,
        dg1_lines=dg1_lines,
        face=face,
        face_png=face_png,
        passive_authentication=pa_result,
        apdu_count=channel.apdu_count,
        seconds=time.monotonic() - started,
        le=files.le,
        files=read,
        file_access=files.access,
        chip_authentication=checks.chip_authentication,
        active_authentication=checks.active_authentication,
        possible_clone=checks.possible_clone,
    )


__all__ = ["ChipError", "ChipResult", "ResumeState", "WrongKeysError", "read_passport"]
