"""Yiwang (一网) backend: Django project package."""

from .celery import app as celery_app

#: Yiwang's version, against which service modules' ``yiwang_requires`` are checked (backend/cases/discovery.py).
#: The minor number follows the issue rounds; the major one changes when the service SDK breaks compatibility.
__version__ = "1.13.0"

__all__ = ["__version__", "celery_app"]
