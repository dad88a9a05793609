"""Runtime pieces both apps share: logs, correlation ids, errors, metrics, SQLite.

The edge box and the hub never import each other; what they both need at
run time (and that is not business logic, so not the kernel's) lives here:
JSON log lines carrying a correlation id, the one place where structured
errors become HTTP responses, a request body limit, ``/healthz`` and
``/metrics``, and the SQLite engine settings. See docs/DECISIONS.md.
"""
