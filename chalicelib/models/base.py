"""Shared pydantic configuration: strict inputs, money as strings, camelCase on the wire."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Extra

from chalicelib.clock import iso
from chalicelib.models.money import format_money


class ApiModel(BaseModel):
    """Base of every wire model: no unknown fields, money as strings, UTC times with `Z`."""

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        # pydantic v1 reads this class attribute as configuration.
        json_encoders = {Decimal: format_money, datetime: iso}  # noqa: RUF012
