"""Doctor check of the sealing key: a booth refuses to start without the centre's public key."""

from __future__ import annotations

from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config


def check_seal(ctx: DoctorContext) -> CheckResult:
    """PASS when [seal] central_public_key loads as an X25519 public key (records can be sealed
    before they touch the disk); FAIL when unset or unreadable (`imdms terminal` will not start)."""
    skipped = skip_without_config(ctx, "seal")
    if skipped is not None:
        return skipped
    assert ctx.config is not None
    from imdms.errors import ConfigError
    from messaging.seal_keys import sealer_for

    try:
        sealer = sealer_for(ctx.config, required=True)
    except ConfigError as err:
        return CheckResult("seal", Status.FAIL, err.message, err.hint)
    assert sealer is not None
    return CheckResult("seal", Status.PASS, f"records are sealed to the centre's key "
                       f"{ctx.config.seal.central_public_key} (key id {sealer.kid})")
