"""Fetching the hub's blobs (catalog versions, big stock snapshots) with the device's token.

A blob is named by a ``BlobRef`` (path, size, sha256) in a retained MQTT message;
its bytes are checked against both before anything parses them.
"""

from __future__ import annotations

import hashlib

import httpx

from setledger.contracts import BlobRef


class BlobError(Exception):
    """A blob that could not be fetched or does not match its reference."""


class BlobFetcher:
    def __init__(self, hub_url: str, token: str, http: httpx.Client | None = None) -> None:
        self.http = http or httpx.Client(
            base_url=hub_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def fetch(self, ref: BlobRef) -> bytes:
        response = self.http.get(ref.url)
        if response.status_code != 200:
            raise BlobError(f"{ref.url}: HTTP {response.status_code}")
        body = response.content
        if len(body) != ref.size or hashlib.sha256(body).hexdigest() != ref.sha256:
            raise BlobError(f"{ref.url}: size or sha256 does not match the manifest")
        return body

    def close(self) -> None:
        self.http.close()
