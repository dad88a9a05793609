"""What one hub app holds: settings, engine, sessions, metrics (made in create_app)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.metrics import IngestMetrics
from hub.settings import HubSettings


@dataclass(frozen=True)
class HubRuntime:
    settings: HubSettings
    engine: Engine
    sessions: sessionmaker[Session]
    registry: CollectorRegistry
    ingest_metrics: IngestMetrics
