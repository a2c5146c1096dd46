"""Shared pydantic configuration: strict inputs, money as strings, camelCase on the wire.

Field types are strict (`chalicelib.models.fields`): nothing is coerced, nothing is stripped, so
the OpenAPI document can say exactly what is accepted. Optional fields are declared nullable.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Extra

from chalicelib.clock import iso
from chalicelib.models.money import format_money


def nullable_optionals(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """OpenAPI 3.0: an optional field the service reads and writes as `null` says `nullable`."""
    properties = schema.get("properties", {})
    for field in model.__fields__.values():
        prop = properties.get(field.alias)
        if prop is None or not field.allow_none:
            continue
        if "$ref" in prop:  # siblings of $ref are ignored: wrap it
            properties[field.alias] = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
        properties[field.alias]["nullable"] = True


class ApiModel(BaseModel):
    """Base of every wire model: no unknown fields, money as strings, UTC times with `Z`."""

    class Config:
        extra = Extra.forbid
        schema_extra = staticmethod(nullable_optionals)
        # pydantic v1 reads this class attribute as configuration.
        json_encoders = {Decimal: format_money, datetime: iso}  # noqa: RUF012
