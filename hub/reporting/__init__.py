"""Reporting: read-only views over what ingest applied (sales, for now).

Amounts are summed in SQL as BIGINT paise and returned as ints; "a day"
is the Indian business date of the sale, not the UTC date.
"""
