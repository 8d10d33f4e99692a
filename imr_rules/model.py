"""The base of the project's pydantic models.

A pydantic model builds its validator when its class is created, and the command line imports far
more models than one command uses (`check` never validates a rule file or a letter). Deferring the
build to first use keeps that work off every command's start-up; a model that is used costs the same.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A pydantic model whose validator is built when first needed. Subclasses' own `model_config`
    is merged with this one."""

    model_config = ConfigDict(defer_build=True)
