"""The registry: organisations, their stores and their store boxes (devices).

Invariants: an org's code is ``ORG-<8hex>`` from the random half of its
UUIDv4 and unique; store codes and invoice prefixes are unique per org; a
device's token is shown once and only its sha256 is kept; ids of another
org answer "not found", never "forbidden" (no probing across tenants).
"""
