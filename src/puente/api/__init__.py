"""The HTTP API (``/api/v1``): a face over the core; every answer goes through the policy layer."""

from puente.api.app import create_app

__all__ = ["create_app"]
