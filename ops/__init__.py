"""Operations: the ``setledger`` command, the demo (``make run``), the broker.

This is the only package that may import both the box and the hub: it is
the composition layer that starts processes, not a library either uses.
"""
