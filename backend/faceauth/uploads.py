"""Keep face uploads in memory: a selfie or frame must never touch the disk, not even as a temporary file.

Django's default handlers spool any upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file. The
face views install :class:`InMemoryOnlyUploadHandler` instead, which keeps every file in memory and stops reading
once the request exceeds ``FACE_MAX_UPLOAD_BYTES`` (413 ``payload_too_large``).
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.core.errors import DomainError

from . import conf


class PayloadTooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self) -> None:
        super().__init__("payload_too_large", _("上传的照片过大，请压缩后重试。"))


class InMemoryOnlyUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = conf.max_upload_bytes()
        self.received = 0
        self.too_large = False
        self.buffer: io.BytesIO | None = None

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile]] | None:
        if content_length and content_length > self.limit:
            # Declared too large: parse nothing (the view answers 413 without reading the body).
            self.too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        assert self.buffer is not None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        assert self.buffer is not None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def install(request: HttpRequest) -> InMemoryOnlyUploadHandler:
    """Replace the request's upload handlers (before anything reads the body); returns the handler."""
    handler = InMemoryOnlyUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


def check(handler: InMemoryOnlyUploadHandler | None) -> None:
    if handler is not None and handler.too_large:
        raise PayloadTooLarge()
