"""What routes ask for, as Annotated aliases so signatures say it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from edge.runtime import BoxRuntime


def _box(request: Request) -> BoxRuntime:
    box: BoxRuntime = request.app.state.box
    return box


Box = Annotated[BoxRuntime, Depends(_box)]
