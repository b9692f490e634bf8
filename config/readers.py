"""Which `[reader]` types the config accepts: the built-ins, plus the backends that plugins
register through the `imdms.readers` entry-point group.

An entry point is `name = "module:Class"`: `name` is the `[reader] type`, and `Class` (a
`drivers.base.DocumentReader`) carries `config_model`, a pydantic model of its settings with
`type: Literal["name"]` that forbids unknown keys (subclass `config.models.Strict`). Validation
then builds the `[reader]` union from the built-ins and these models, so a plugin's section gets
the same problems as a built-in one (line, dotted key, "did you mean").

Plugins are looked up only when `[reader] type` is not a built-in, or to explain a problem, so a
booth with a built-in reader pays nothing. A built-in type cannot be replaced by a plugin.
"""

from __future__ import annotations

import functools
import logging
import operator
import typing
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model

from config import models

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "imdms.readers"
BUILTIN: dict[str, type[BaseModel]] = {
    "simulator": models.SimulatorConfig,
    "serial_mrz": models.SerialMrzConfig,
    "camera": models.CameraConfig,
    "chip": models.ChipConfig,
}


@dataclass(frozen=True)
class Plugins:
    """What the entry points registered: config models by type, and the types that failed to
    load with why (for the technician; never raised at import time)."""

    models: dict[str, type[BaseModel]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)


def _model_of(name: str, cls: Any) -> type[BaseModel]:
    """The entry point's config model; ValueError saying what the plugin lacks."""
    model = getattr(cls, "config_model", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ValueError("its reader class has no config_model (a pydantic model)")
    type_field = model.model_fields.get("type")
    if type_field is None or typing.get_args(type_field.annotation) != (name,):
        raise ValueError(f'its config_model needs the field type: Literal["{name}"]')
    if model.model_config.get("extra") != "forbid":
        raise ValueError("its config_model must forbid unknown keys "
                         "(subclass config.models.Strict)")
    return model


@functools.cache
def plugins() -> Plugins:
    """Load the `imdms.readers` entry points once per process (tests call cache_clear())."""
    found = Plugins()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            log.warning("reader plugin %s (%s) ignored: %r is a built-in type", ep.value,
                        ep.name, ep.name)
            continue
        try:
            found.models[ep.name] = _model_of(ep.name, ep.load())
        except ValueError as err:
            found.broken[ep.name] = f"plugin {ep.value} is not usable: {err}"
        except Exception as err:  # a third party's import error must not stop validation
            found.broken[ep.name] = (f"plugin {ep.value} cannot be loaded "
                                     f"({err.__class__.__name__}: {err})")
    for name, why in found.broken.items():
        log.warning("reader type %s: %s", name, why)
    return found


def reader_models() -> dict[str, type[BaseModel]]:
    """Every configurable `[reader]` type and its model, built-ins first."""
    return {**BUILTIN, **plugins().models}


def config_class(reader_type: object = None) -> type[models.Config]:
    """The model that validates a file whose `[reader] type` is `reader_type`.

    `models.Config` for the built-ins (and when the type is missing or not text: its problem is
    reported as usual); otherwise a subclass whose `[reader]` union includes every plugin model.
    """
    if not isinstance(reader_type, str) or reader_type in BUILTIN or not plugins().models:
        return models.Config
    return _with_plugins(tuple(plugins().models.values()))


@functools.cache
def _with_plugins(extra: tuple[type[BaseModel], ...]) -> type[models.Config]:
    union: Any = functools.reduce(operator.or_, (*BUILTIN.values(), *extra))
    annotation: Any = Annotated[union, Field(discriminator="type")]
    default: Any = Field(default_factory=models.SimulatorConfig,
                         description=models.Config.model_fields["reader"].description)
    return create_model("Config", __base__=models.Config, __module__=models.__name__,
                        reader=(annotation, default))
