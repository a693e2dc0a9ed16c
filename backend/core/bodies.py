"""Request bodies are bounded before anything reads them: 413 ``payload_too_large`` over the limit.

DRF's parsers read the whole stream (``json.load``) and Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is only checked by
``request.body`` and form parsing, so a 12 MB JSON body to ``POST /api/v1/cases`` used to be read and parsed
(~80 MB of Python objects) before the view said 404. :class:`BodyLimitMiddleware` runs before every other reader
(allauth's headless views and ``NormalizePhoneMiddleware`` included) and

* refuses a declared ``Content-Length`` above the limit without reading a byte;
* reads a body without ``Content-Length`` (``Transfer-Encoding: chunked`` under a server that de-chunks and marks
  its input terminated, as gunicorn does; an ASGI body) counting as it goes, stops one byte past the limit and
  refuses it; a body within the limit is handed on with its length set, so DRF and Django parse it as if it had
  been declared (before, Django read such a body as empty).

The limit is ``REQUEST_BODY_MAX_BYTES`` (1 MiB) for every body. A view that takes photos raises it for
``multipart/form-data`` bodies only, by declaring ``upload_max_bytes`` (a callable returning bytes, read at request
time so ``override_settings`` works); a JSON body to that view keeps the JSON limit. The Django admin's pages get
``ADMIN_UPLOAD_MAX_BYTES`` for multipart (registry photos, up to 10 MB as in ``import_registry``). A view may shape
the refusal its clients parse with ``payload_too_large_response(message) -> HttpResponse`` (Open311's error list).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import error_body

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_ADMIN_UPLOAD_MAX_BYTES = 11 * 1024 * 1024
_CHUNK = 64 * 1024


def body_max_bytes() -> int:
    """Largest body of any request that is not a declared upload (JSON, form-encoded, anything else)."""
    return int(getattr(settings, "REQUEST_BODY_MAX_BYTES", DEFAULT_MAX_BYTES))


def admin_upload_max_bytes() -> int:
    return int(getattr(settings, "ADMIN_UPLOAD_MAX_BYTES", DEFAULT_ADMIN_UPLOAD_MAX_BYTES))


def _match(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None


def _view_class(match: ResolverMatch | None) -> type | None:
    if match is None:
        return None
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)


def limit_for(request: HttpRequest, match: ResolverMatch | None) -> int:
    """The body limit of this request: the JSON limit, or the view's upload limit for a multipart body."""
    if request.content_type != "multipart/form-data":
        return body_max_bytes()
    upload: Callable[[], int] | None = getattr(_view_class(match), "upload_max_bytes", None)
    if upload is not None:
        return max(int(upload()), body_max_bytes())
    if match is not None and "admin" in match.namespaces:
        return max(admin_upload_max_bytes(), body_max_bytes())
    return body_max_bytes()


def _declared_length(request: HttpRequest) -> int | None:
    """``Content-Length`` as an int; ``None`` when absent. A malformed one is left to Django (it reads nothing)."""
    raw = request.META.get("CONTENT_LENGTH")
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _undeclared_stream(request: HttpRequest) -> io.RawIOBase | None:
    """The stream that holds a body sent without ``Content-Length``, when it can be read to its end safely.

    WSGI: only when the server de-chunked it and says so (``wsgi.input_terminated``, PEP 3333 errata; gunicorn
    does); reading a raw socket without a length (wsgiref, runserver) would block until the client gives up.
    ASGI: Django's handler has already received the whole body into a spooled file.
    """
    if isinstance(request, WSGIRequest):
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and request.environ.get("wsgi.input_terminated"):
            return request.environ["wsgi.input"]
        return None
    return getattr(request, "_stream", None)


def read_bounded(stream: io.RawIOBase, limit: int) -> bytes | None:
    """At most ``limit`` bytes of ``stream`` until its end; ``None`` as soon as there is one byte more."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def too_large(request: HttpRequest, match: ResolverMatch | None, limit: int) -> HttpResponse:
    """413 in the contract's shape (or the view's own), in the request's language (LocaleMiddleware runs later)."""
    with translation.override(translation.get_language_from_request(request)):
        message = _("请求内容过大，不能超过 %(limit)s。") % {"limit": filesizeformat(limit)}
    custom = getattr(_view_class(match), "payload_too_large_response", None)
    if custom is not None:
        return custom(message)
    return JsonResponse(error_body("payload_too_large", message), status=413, json_dumps_params={"ensure_ascii": False})


class BodyLimitMiddleware:
    """Must come before any middleware that reads the body (``NormalizePhoneMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.check(request)
        return refusal if refusal is not None else self.get_response(request)

    @staticmethod
    def check(request: HttpRequest) -> HttpResponse | None:
        declared = _declared_length(request)
        if declared is not None:
            if declared <= body_max_bytes():
                return None  # within every limit: no URL resolution on the common path
            match = _match(request)
            limit = limit_for(request, match)
            return too_large(request, match, limit) if declared > limit else None
        stream = _undeclared_stream(request)
        if stream is None:
            return None
        match = _match(request)
        limit = limit_for(request, match)
        body = read_bounded(stream, limit)
        if body is None:
            return too_large(request, match, limit)
        request._stream = io.BytesIO(body)  # what HttpRequest.read() and DRF's parsers read from
        request.META["CONTENT_LENGTH"] = str(len(body))
        return None
