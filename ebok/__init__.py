"""The ebok platform package (named after the product: a package called ``platform`` would shadow
Python's own ``platform`` module)."""

from ebok.celery import app as celery_app

__all__ = ("celery_app",)
