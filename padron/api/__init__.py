"""The HTTP API of API.md: app factory, routes, keys and permissions, envelopes."""

from padron.api.app import create_app

__all__ = ["create_app"]
