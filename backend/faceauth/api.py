"""Face API views: thin wrappers that validate input and call :mod:`backend.faceauth.services`.

All views use the DRF scoped throttle ``face`` (rate in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["face"]``) on
top of the per-user lockout counted in the database. Uploads are kept in memory only (see uploads.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.authentication import signed_in_user
from backend.core import acting
from backend.core.errors import DomainError
from backend.core.ids import IdField
from backend.core.inputs import Judged, validated

from . import conf, services, uploads


class FaceView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "face"


class UploadView(FaceView):
    """A face view that receives photos: in-memory upload handling installed before the body is read."""

    parser_classes = [MultiPartParser, FormParser]
    upload_max_bytes = staticmethod(conf.max_upload_bytes)  # a larger body is 413 unread (backend/core/bodies.py)

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self._upload_handler = uploads.install(request)
        return super().initialize_request(request, *args, **kwargs)

    def _file_bytes(self, request: Request, name: str) -> list[bytes]:
        files = request.FILES.getlist(name)
        uploads.check(getattr(self, "_upload_handler", None))
        return [f.read() for f in files]


def _validation_error(field: str, message: str) -> DomainError:
    return DomainError("validation_error", _("提交的数据有误，请检查后重试。"), fields={field: [message]})


# --- schemas -----------------------------------------------------------------------------------------------------

_enrolled = inline_serializer(
    "FaceEnrolled",
    {
        "face_enrolled": serializers.BooleanField(),
        "enrolled_at": serializers.DateTimeField(),
        "model_version": serializers.CharField(),
    },
)
_status = inline_serializer(
    "FaceStatus",
    {
        "enrolled": serializers.BooleanField(),
        "enrolled_at": serializers.DateTimeField(allow_null=True),
        "model_version": serializers.CharField(allow_null=True),
        "reenrol_required": serializers.BooleanField(),
        "locked_until": serializers.DateTimeField(allow_null=True),
        "liveness": serializers.ChoiceField(choices=conf.LIVENESS_MODES),
    },
)


def _required(value: Any) -> Any:
    if not value:
        raise serializers.ValidationError("required")
    return value


@extend_schema_serializer(component_name="FaceChallengeRequest")
class FaceChallengeSerializer(serializers.Serializer[Any]):
    # The body must be an object with a ``purpose``; the purpose itself (purposes.py) reads and checks its target's
    # fields (``case`` for "case") after the target was found to be the caller's, so the view hands it the object.

    default_error_messages = {"invalid": "a JSON object is required"}

    purpose = Judged(serializers.CharField(help_text='"case" or "login" (and any purpose an app registers)'))
    case = Judged(IdField(required=False, help_text='the case id, for purpose "case"'))
    mandate = Judged(IdField(required=False, help_text='the invitation id, for purpose "delegation"'))
    face = Judged(
        serializers.ChoiceField(
            choices=["own", "principal"],
            required=False,
            help_text='亲情代办: "principal" checks the face of the person acted for, on the delegate\'s phone '
            '(a service that wants them in person); default "own", the caller\'s own face',
        )
    )
    bundle = Judged(serializers.CharField(required=False, help_text='the bundle reference, for purpose "bundle"'))

    def validate_purpose(self, value: Any) -> Any:
        return _required(value)


_challenge = inline_serializer(
    "FaceChallenge",
    {
        "challenge_id": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
        "actions": serializers.ListField(child=serializers.ChoiceField(choices=["blink", "turn_left", "turn_right"])),
    },
)


@extend_schema_serializer(component_name="FaceVerifyRequest")
class FaceVerifySerializer(serializers.Serializer[Any]):
    # The photos are read from the upload (``UploadView._file_bytes``: in memory, counted); this reads the rest.

    challenge_id = Judged(serializers.CharField())
    image = Judged(serializers.FileField(required=False, help_text="one still (liveness off)"))
    frames = Judged(
        serializers.ListField(
            child=serializers.FileField(), required=False, help_text="frames in capture order (liveness active)"
        )
    )

    def validate_challenge_id(self, value: Any) -> Any:
        return _required(value)


_advice = inline_serializer(
    "FaceAdvice",
    {
        "code": serializers.ChoiceField(choices=services.ADVICE_CODES, help_text="what to change first"),
        "message": serializers.CharField(help_text="the advice in plain words, in the request's language"),
        "next": serializers.ListField(
            child=serializers.ChoiceField(choices=services.NEXT_PATHS),
            help_text="what the resident can do now, in order",
        ),
        "other_paths": serializers.CharField(help_text="the counter as another way, in plain words"),
    },
    required=False,
    help_text="when not verified: what to change and what else the resident can do (never a score)",
)
_verified = inline_serializer(
    "FaceVerifyResult",
    {
        "verified": serializers.BooleanField(),
        "attempts_left": serializers.IntegerField(),
        "advice": _advice,
        "case": serializers.DictField(required=False, help_text='for purpose "case" when verified: the case'),
        "bundle": serializers.DictField(
            required=False, help_text='for purpose "bundle" when verified: the bundle application'
        ),
    },
)
_image_request = inline_serializer("FaceEnrolRequest", {"image": serializers.FileField()})


# --- views -------------------------------------------------------------------------------------------------------


class FaceStatusView(FaceView):
    @extend_schema(responses=_status, tags=["face"])
    def get(self, request: Request) -> Response:
        return Response(services.status_of(signed_in_user(request)))


class FaceEnrolView(UploadView):
    @extend_schema(
        request={"multipart/form-data": _image_request},
        responses={
            201: _enrolled,
            403: OpenApiResponse(description="real_name_required"),
            422: OpenApiResponse(
                description="no_face, multiple_faces, face_mismatch, invalid_image, no_registry_photo, "
                "registry_photo_unusable"
            ),
            429: OpenApiResponse(description="face_locked (Retry-After)"),
        },
        tags=["face"],
    )
    def post(self, request: Request) -> Response:
        images = self._file_bytes(request, "image")
        if not images:
            raise _validation_error("image", "required")
        if len(images) > 1:
            raise _validation_error("image", "exactly one image")
        template = services.enrol(signed_in_user(request), images[0])
        return Response(
            {"face_enrolled": True, "enrolled_at": template.enrolled_at, "model_version": template.model_version},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None}, tags=["face"])
    def delete(self, request: Request) -> Response:
        """Withdraw consent: delete the enrolled template (face checks then need re-enrolment or a counter)."""
        services.withdraw(signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FaceChallengeView(FaceView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=FaceChallengeSerializer,
        responses={
            201: _challenge,
            400: OpenApiResponse(description="validation_error (unknown purpose, missing target)"),
            404: OpenApiResponse(description="target not found or not the caller's"),
            409: OpenApiResponse(
                description="face_not_enrolled, face_reenrol_required, principal_face_not_enrolled, or the "
                "target's state (delegate_face_first, principal_face_required)"
            ),
            429: OpenApiResponse(description="face_locked"),
        },
        tags=["face"],
    )
    def post(self, request: Request) -> Response:
        data = validated(FaceChallengeSerializer, request.data)
        # 亲情代办: the delegate's face, for the principal's target (backend/core/acting.py), or the principal's own
        # face on the delegate's phone when asked for
        face_user, principal = acting.face_and_target(signed_in_user(request))
        face = data.get("face")
        if face not in (None, "own", "principal"):
            raise _validation_error("face", '"own" or "principal"')
        if face == "principal":
            if principal is None:
                raise _validation_error("face", '"principal" only while acting for someone (X-Acting-For)')
            issued = services.create_challenge(principal, request.data, operator=face_user)
        else:
            issued = services.create_challenge(face_user, request.data, on_behalf_of=principal)
        return Response(
            {
                "challenge_id": issued.challenge_id,
                "expires_at": issued.challenge.expires_at,
                "actions": issued.challenge.actions,
            },
            status=status.HTTP_201_CREATED,
        )


class FaceVerifyView(UploadView):
    @extend_schema(
        request={"multipart/form-data": FaceVerifySerializer},
        responses={
            200: _verified,
            400: OpenApiResponse(description="validation_error, frames_required"),
            404: OpenApiResponse(description="unknown challenge or another user's"),
            409: OpenApiResponse(description="challenge_used, face_not_enrolled"),
            410: OpenApiResponse(description="challenge_expired"),
            422: OpenApiResponse(description="invalid_image, no_face, multiple_faces (not counted as attempts)"),
            429: OpenApiResponse(description="face_locked (Retry-After)"),
        },
        tags=["face"],
    )
    def post(self, request: Request) -> Response:
        images = self._file_bytes(request, "image")
        frames = self._file_bytes(request, "frames")
        challenge_id = validated(FaceVerifySerializer, request.data)["challenge_id"]
        if len(images) > 1:
            raise _validation_error("image", "exactly one image; send a sequence as frames")
        result = services.verify(
            acting.delegate_of(signed_in_user(request)),
            challenge_id,
            image=images[0] if images else None,
            frames=frames,
        )
        return Response(result)
