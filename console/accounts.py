"""Creating console users (the CLI's `imdms console user`, the demo, the tests)."""

from __future__ import annotations

from console.roles import ADMINISTRATOR, ROLES, ensure_groups
from imdms.errors import ImdmsError


def create_user(name: str, password: str, role: str, *, totp: bool = False) -> str | None:
    """Create or update a user with exactly one role; returns the new TOTP secret if asked.

    The password is checked against the validators (12+ characters, not common) and stored
    as an Argon2id hash. Administrators are staff (the user admin) but never superusers.
    """
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from console.models import SecondFactor

    if role not in ROLES:
        raise ImdmsError(f"unknown role {role!r}", f"use one of: {', '.join(ROLES)}")
    user, _ = User.objects.get_or_create(username=name)
    try:
        validate_password(password, user)
    except ValidationError as err:
        raise ImdmsError(
            "password refused: " + " ".join(err.messages), "choose a longer one"
        ) from None
    ensure_groups()
    user.set_password(password)
    user.is_staff = role == ADMINISTRATOR
    user.is_superuser = False
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    if not totp:
        return None
    import pyotp

    secret = pyotp.random_base32()
    SecondFactor.objects.update_or_create(user=user, defaults={"totp_secret": secret})
    return secret
