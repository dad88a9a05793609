"""The catalog master: the hub is the single writer of products and prices.

Invariants: every change bumps the org's ``catalog_version`` in the same
transaction and stamps the product's ``version`` with it; prices are
append-only, effective-dated price points; SKUs and barcodes are unique
per org; money is integer paise (a float is refused with a 422); the
snapshot a box is seeded from is exactly a ``setledger.contracts.CatalogSnapshot``;
a file import (``import_*.py``, docs/CATALOG_IMPORT.md) writes all its rows
or none, in one transaction with one version bump, and an export of the
catalog imports back without a change.
"""
