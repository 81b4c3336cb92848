"""padron: a self-hosted customer register speaking the Biteral API v1 customers endpoints."""

__version__ = "0.1.0"
