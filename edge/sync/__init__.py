"""Replication to and from the hub over MQTT (see docs/REPLICATION.md).

The replicator is the box's only publisher: business code writes outbox
rows in its own transaction and the replicator drains them; the hub's
application ack, not the broker's PUBACK, is what lets it prune.
"""
