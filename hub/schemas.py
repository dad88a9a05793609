"""Base classes of the API's request and response models.

Requests refuse unknown fields (a typo like ``prise`` must not be silently
ignored) and strip surrounding spaces. Responses are their own classes,
never table rows, so a new column never leaks into the API by accident.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Response(BaseModel):
    model_config = ConfigDict(frozen=True)
