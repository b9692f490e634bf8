from __future__ import annotations

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    label = "console"
    verbose_name = "IMDMS headquarters console"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from console.roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)
