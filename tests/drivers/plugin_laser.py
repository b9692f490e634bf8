"""A third-party reader backend as a plugin would ship it (registered in-process by
tests/drivers/test_plugin.py through monkeypatched `imdms.readers` entry points)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.models import Strict
from drivers.fake import FakeReader


class LaserConfig(Strict):
    type: Literal["laser"]
    power: int = Field(3, ge=1, le=10, description="Laser power step.")
    port: str = Field("/dev/laser0", description="Device path.")


class LaserReader(FakeReader):
    source = "laser"
    config_model = LaserConfig


class NoModelReader(FakeReader):
    """A plugin that forgot its config_model."""


class WrongTagConfig(Strict):
    type: Literal["other"]


class WrongTagReader(FakeReader):
    config_model = WrongTagConfig
