"""Broker credentials from the registry: real Mosquitto accepts a box's token and its ACL holds."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import update

from hub.db.models import Device
from hub.registry.mqtt_password import mosquitto_hash, mosquitto_verify
from ops.broker import Broker
from provisioning.broker.credentials import acl_file_text, password_file_text, registry_users
from setledger.contracts import topics
from tests.hub.harness import Hub
from tests.hub.mqtt_harness import (
    HUB_PASSWORD,
    HUB_USER,
    FakeBox,
    connected,
    refresh_broker,
    secure_broker,
    wait_for,
)

NOT_AUTHORIZED = 135


def test_our_hash_is_mosquittos_format(tmp_path: Path) -> None:
    made = mosquitto_hash("sldev_secret", salt=b"0123456789ab")
    assert made.startswith("$7$101$MDEyMzQ1Njc4OWFi$")
    assert mosquitto_verify("sldev_secret", made)
    assert not mosquitto_verify("sldev_Secret", made)
    # And mosquitto_passwd's own lines verify with our reader.
    passwords = tmp_path / "pw"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), "alice", "sldev_secret"],
        check=True,
        capture_output=True,
    )
    line = passwords.read_text().strip()
    assert mosquitto_verify("sldev_secret", line.split(":", 1)[1])


def shop(hub: Hub) -> dict[str, Any]:
    org = hub.org()
    first, second = hub.store(org), hub.store(org)
    return {
        "org": org,
        "first": first,
        "second": second,
        "box": hub.device(org, first),
        "neighbour": hub.device(org, first),
        "elsewhere": hub.device(org, second),
    }


def test_the_files_list_every_active_box(hub: Hub) -> None:
    s = shop(hub)
    with hub.runtime.sessions() as session:
        users = registry_users(session)
    names = {u.username for u in users}
    assert {s["box"]["device_id"], s["elsewhere"]["device_id"]} <= names
    passwords = password_file_text(users)
    acl = acl_file_text(users)
    box = s["box"]
    root = topics.device_root(s["org"]["org_id"], box["store_id"], box["device_id"])
    block = acl.split(f"user {box['device_id']}\n")[1].split("\n\n")[0].splitlines()
    assert block == [
        f"topic read {root}/down/#",
        f"topic read setledger/v1/{s['org']['org_id']}/{box['store_id']}/down/#",
        f"topic write {root}/up/#",
        f"topic write {root}/status",
    ]
    line = next(x for x in passwords.splitlines() if x.startswith(box["device_id"]))
    assert mosquitto_verify(box["token"], line.split(":", 1)[1])


def test_a_box_logs_in_with_its_token_and_nothing_else(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    s = shop(hub)
    broker = secure_broker(hub, make_broker, broker_files)
    box = FakeBox.of(s["org"], s["box"], broker)
    with connected(box):
        pass
    assert box.connect(password="sldev_wrong").is_failure
    assert box.connect(username=s["neighbour"]["device_id"]).is_failure  # another box's id
    assert box.connect(username="nobody").is_failure
    assert not box.connect(username=HUB_USER, password=HUB_PASSWORD).is_failure
    box.close()
    # Revoked: gone from the files, refused after the broker re-reads them.
    with hub.runtime.sessions.begin() as session:
        session.execute(
            update(Device)
            .where(Device.device_id == uuid.UUID(s["box"]["device_id"]))
            .values(revoked_at=datetime.now(UTC))
        )
    refresh_broker(hub, broker)

    def refused() -> bool:
        code = box.connect()
        box.close()
        return code.is_failure

    wait_for(refused, "the broker to refuse the revoked box", timeout=10)


def test_the_acl_keeps_a_box_to_its_own_topics(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    s = shop(hub)
    broker = secure_broker(hub, make_broker, broker_files)
    org = s["org"]["org_id"]
    box = FakeBox.of(s["org"], s["box"], broker)
    hub_side = FakeBox(org, "", HUB_USER, HUB_PASSWORD, broker, client_id="hub-side")
    with connected(box), connected(hub_side):
        hub_side.subscribe(topics.INGEST_FILTER)
        elsewhere = s["elsewhere"]
        neighbour = s["neighbour"]
        forged = [
            topics.up(org, elsewhere["store_id"], elsewhere["device_id"], "sales"),
            topics.up(org, s["box"]["store_id"], neighbour["device_id"], "sales"),
            topics.up(org, elsewhere["store_id"], s["box"]["device_id"], "sales"),
            topics.up("ORG-00000000", s["box"]["store_id"], s["box"]["device_id"], "sales"),
        ]
        for topic in forged:
            code: ReasonCode = box.publish(topic, b"forged")
            assert code.value == NOT_AUTHORIZED, topic
        assert not box.publish(box.up_topic, b"mine").is_failure
        # In order from one client: once "mine" is in, nothing forged came before it.
        wait_for(lambda: hub_side.messages("/up/"), "the box's own message at the hub")
        assert [(m.topic, m.payload) for m in hub_side.messages("/up/")] == [
            (box.up_topic, b"mine")
        ]
        # Reading: another box's downlinks and another store's catalog never arrive
        # (Mosquitto 2.0 grants such a subscription but checks the ACL on delivery).
        box.subscribe(topics.acks(org, neighbour["store_id"], neighbour["device_id"]))
        box.subscribe(topics.ctl(org, elsewhere["store_id"], elsewhere["device_id"]))
        box.subscribe(topics.store_catalog(org, elsewhere["store_id"]))
        box.listen_down()
        for topic in (
            topics.ack(org, neighbour["store_id"], neighbour["device_id"], "e" * 32, "sales"),
            topics.ctl(org, elsewhere["store_id"], elsewhere["device_id"]),
            topics.store_catalog(org, elsewhere["store_id"]),
            topics.ctl(org, s["box"]["store_id"], s["box"]["device_id"]),
        ):
            assert not hub_side.publish(topic, b"down").is_failure
        wait_for(lambda: box.messages("/down/ctl"), "the box's own control message")
        assert [m.topic for m in box.received] == [
            topics.ctl(org, s["box"]["store_id"], s["box"]["device_id"])
        ]
