"""Lazy, guarded access to ``face_recognition`` / dlib.

Importing ``face_recognition`` costs ~0.5 s and ~200 MB (it loads four dlib models, including the CNN detector
we do not use), and it has two side effects we must neutralise:

* if ``face_recognition_models`` is missing it prints a hint and calls ``quit()`` -- a ``SystemExit`` that
  would silently stop a gunicorn worker or a test run with exit code 0. We import the models package first so
  the failure is an ordinary exception, and turn any ``SystemExit`` into :class:`EngineUnavailable`;
* it sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` globally; we set it back (``images.load_image`` also
  re-checks at every load, in case something else flips it).
"""

from __future__ import annotations

import functools
from types import ModuleType

from PIL import ImageFile

from .errors import EngineUnavailable


@functools.cache
def api() -> ModuleType:
    """Return ``face_recognition.api``, importing it once per process."""
    try:
        import face_recognition.api as fr_api
        import face_recognition_models  # noqa: F401  (fail loudly here, before face_recognition's quit())
    except (ImportError, SystemExit, RuntimeError) as exc:  # RuntimeError: dlib cannot read a model file
        raise EngineUnavailable(f"face recognition models could not be loaded: {exc!r}") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    module: ModuleType = fr_api  # the package ships no types: what is imported is Any to mypy
    return module
