"""setLedger kernel: money, GST, ids, time and the wire contracts.

The kernel is pure: no I/O, no web, no database. It imports only the
standard library and pydantic, so the store box and the hub compute the
same paise from the same inputs, and tests can check it exhaustively.

Invariants kept here:
- money is an ``int`` of paise; a float is refused at every entry point;
- rounding happens in one place (:mod:`setledger.gst`) and any difference
  shows as an explicit round-off, never a tolerance;
- every message between box and hub is a versioned pydantic model in
  :mod:`setledger.contracts`.
"""

__version__ = "0.1.0"
