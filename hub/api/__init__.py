"""The hub's HTTP API under /api/v1: thin routes over the services.

Routes parse, call one service (which owns the transaction) and return
its response model. Authentication lives in one dependency
(:mod:`hub.api.deps`), applied to the whole router so no route can forget it.
"""
