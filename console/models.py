# mypy: disable-error-code="var-annotated"
"""One data model: the collector's tables as Django models, and the console's own tables.

Record, Rejected, ClockOffset and Counter map tables whose DDL central.db and
central.trace.schema own (migration 0001 adopts them: it runs that DDL, so a database the
collector made and a new one end the same). Django never alters them; a change of those
tables is a new migration here that the collector's DDL matches. The report reads them with
central.report's SQL (covering indexes); the ORM serves the operations page and the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Record(models.Model):
    record_id = models.CharField(primary_key=True, max_length=64)
    terminal_id = models.TextField()
    border_post = models.TextField()
    direction = models.TextField()
    capture_method = models.TextField()
    sex = models.IntegerField()
    age_band = models.TextField(null=True)
    nationality = models.TextField(null=True)
    minor = models.IntegerField()
    has_tips = models.IntegerField()
    tip_referral = models.TextField()
    amends = models.TextField(null=True)
    root_id = models.TextField()
    clock_synced = models.IntegerField()
    boot_id = models.TextField()
    monotonic_ns = models.BigIntegerField()
    recorded_ms = models.BigIntegerField()
    time_corrected = models.IntegerField(default=0)
    is_current = models.IntegerField(default=0)
    crossing_ms = models.BigIntegerField(null=True)
    crossing_day = models.IntegerField(null=True)
    received_at = models.TextField()
    payload = models.TextField()
    decision = models.TextField(default="ADMITTED")
    refusal_reason = models.TextField(null=True)
    traveller_category = models.TextField(null=True)
    purpose = models.TextField(null=True)
    stay_band = models.TextField(null=True)
    residence = models.TextField(null=True)
    transport_mode = models.TextField(null=True)
    unaccompanied = models.IntegerField(default=0)
    category_source = models.TextField(null=True)

    class Meta:
        db_table = "records"


class Rejected(models.Model):
    id = models.BigAutoField(primary_key=True)
    received_at = models.TextField()
    topic = models.TextField()
    reason = models.TextField()
    payload = models.TextField()

    class Meta:
        db_table = "rejected"


class ClockOffset(models.Model):
    # the table's key is (terminal_id, boot_id); Django 5.1 has no composite keys and boot ids
    # are random per boot, so boot_id stands in as the key (the model is read-only here)
    boot_id = models.CharField(primary_key=True, max_length=64)
    terminal_id = models.TextField()
    offset_ns = models.BigIntegerField()
    heartbeat_at = models.TextField()

    class Meta:
        db_table = "clock_offsets"


class Counter(models.Model):
    name = models.CharField(primary_key=True, max_length=64)
    value = models.BigIntegerField()

    class Meta:
        db_table = "counters"


class TerminalStatus(models.Model):
    """The latest heartbeat of each terminal (console.status.store_heartbeat)."""

    terminal_id = models.CharField(primary_key=True, max_length=64)
    border_post = models.TextField()
    received_at = models.DateTimeField()
    sent_at = models.TextField()
    software_version = models.TextField(default="")
    clock_synced = models.BooleanField(null=True)
    outbox_pending = models.IntegerField(null=True)
    awaiting_receipt = models.IntegerField(null=True)
    oldest_pending_age_s = models.FloatField(null=True)
    readers = models.TextField(default="")

    class Meta:
        db_table = "console_terminal_status"


class SignIn(models.Model):
    """Every sign-in attempt (append-only by convention; the audit page lists them)."""

    at = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150)
    outcome = models.CharField(max_length=20)  # ok, bad-password, bad-code, locked, sign-out
    address = models.CharField(max_length=64, default="")

    class Meta:
        db_table = "console_signin"
        indexes = [models.Index(fields=["username", "at"], name="console_signin_user")]


class SecondFactor(models.Model):
    """A user's TOTP secret (RFC 6238, pyotp); no row: password only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    totp_secret = models.CharField(max_length=64)

    class Meta:
        db_table = "console_second_factor"
