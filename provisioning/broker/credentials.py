"""Mosquitto's password file and ACL, generated from the hub's device registry.

Every device that is not revoked and has an MQTT password hash gets a
login (username = its device id, password = its device token, kept as
Mosquitto's ``$7$`` hash) and an ACL that lets it:

- write ``setledger/v1/{org}/{store}/{device}/up/#`` and ``.../{device}/status``;
- read ``.../{device}/down/#`` and its store's ``setledger/v1/{org}/{store}/down/#``.

The hub's own user reads every box's uplink and status and writes every
downlink. Anything not listed is refused by Mosquitto. Both files are
replaced atomically (write, then rename), so a broker re-reading them on
SIGHUP never sees half a file. Run this after registering or revoking a
device, then reload the broker (``ops.broker.Broker.reload``).
"""

from __future__ import annotations

import grp
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.db.models import Device, Org
from hub.registry.mqtt_password import mosquitto_hash
from setledger.contracts import topics

PASSWORD_FILE = "passwords"  # noqa: S105 - a file name
ACL_FILE = "acl"
BROKER_GROUP = "mosquitto"
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

HUB_READS = (
    f"{topics.PREFIX}/+/+/+/up/#",
    f"{topics.PREFIX}/+/+/+/status",
)
HUB_WRITES = (
    f"{topics.PREFIX}/+/+/+/down/#",
    f"{topics.PREFIX}/+/+/down/#",
)


@dataclass(frozen=True)
class BrokerUser:
    username: str
    password_hash: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def device_user(org_code: str, device: Device) -> BrokerUser:
    assert device.mqtt_password_hash is not None
    root = topics.device_root(org_code, device.store_id, device.device_id)
    return BrokerUser(
        username=str(device.device_id),
        password_hash=device.mqtt_password_hash,
        reads=(f"{root}/down/#", f"{topics.PREFIX}/{org_code}/{device.store_id}/down/#"),
        writes=(f"{root}/up/#", topics.status(org_code, device.store_id, device.device_id)),
    )


def hub_user(username: str, password: str) -> BrokerUser:
    if not _USERNAME_RE.match(username):
        raise ValueError(f"the hub's MQTT username {username!r} must match {_USERNAME_RE.pattern}")
    return BrokerUser(username, mosquitto_hash(password), HUB_READS, HUB_WRITES)


def registry_users(session: Session) -> list[BrokerUser]:
    """Every device that may log in now, in a stable order."""
    rows = session.execute(
        select(Org.org_code, Device)
        .join(Org, Org.org_id == Device.org_id)
        .where(Device.revoked_at.is_(None), Device.mqtt_password_hash.is_not(None))
        .order_by(Org.org_code, Device.device_id)
    )
    return [device_user(org_code, device) for org_code, device in rows]


def password_file_text(users: list[BrokerUser]) -> str:
    return "".join(f"{user.username}:{user.password_hash}\n" for user in users)


def acl_file_text(users: list[BrokerUser]) -> str:
    lines = ["# Generated from the hub's registry by provisioning.broker.credentials: do not edit."]
    for user in users:
        lines += ["", f"user {user.username}"]
        lines += [f"topic read {topic}" for topic in user.reads]
        lines += [f"topic write {topic}" for topic in user.writes]
    return "\n".join(lines) + "\n"


def write_broker_files(
    source: Engine | Session, directory: Path, hub_username: str, hub_password: str
) -> tuple[Path, Path]:
    """Write ``passwords`` and ``acl`` into ``directory``; return their paths."""
    if isinstance(source, Session):
        devices = registry_users(source)
    else:
        with Session(source) as session:
            devices = registry_users(session)
    users = [hub_user(hub_username, hub_password), *devices]
    directory.mkdir(parents=True, exist_ok=True)
    password_file = directory / PASSWORD_FILE
    acl_file = directory / ACL_FILE
    _replace(password_file, password_file_text(users))
    _replace(acl_file, acl_file_text(users))
    return password_file, acl_file


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all, readable by its owner and the broker's group."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o640)
        _give_to_broker_group(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _give_to_broker_group(path: str) -> None:
    """Started as root, Mosquitto drops to the ``mosquitto`` user: let its group read."""
    if os.geteuid() != 0:
        return
    try:
        gid = grp.getgrnam(BROKER_GROUP).gr_gid
    except KeyError:
        return
    os.chown(path, -1, gid)
