"""Settings of the appointments app, each overridable in ``backend/settings.py`` under the same name."""

from __future__ import annotations

from django.conf import settings

from backend.core.i18n import pick

#: Display names of the service codes venues offer (code → (zh, en)). Unknown codes are shown as the code.
SERVICE_NAMES_DEFAULT: dict[str, tuple[str, str]] = {
    "provident-fund-withdrawal": ("公积金提取", "Provident fund withdrawal"),
    "public-rental-housing": ("公租房申领", "Public rental housing"),
    "deed-tax-subsidy": ("契税补贴", "Deed tax subsidy"),
    "primary-school-enrolment": ("小学新生入学", "Primary school enrolment"),
    "talent-housing-subsidy": ("人才住房补贴", "Talent housing subsidy"),
    "household-registration": ("户籍业务", "Household registration"),
    "business-licence": ("营业执照", "Business licence"),
    "general-practice": ("全科门诊", "General practice"),
    "vaccination": ("预防接种", "Vaccination"),
    "health-check": ("健康体检", "Health check"),
    "identity-check": ("窗口核验身份", "Identity check at the counter"),
}


def max_future_bookings() -> int:
    """Active bookings a resident may hold for slots that have not started yet."""
    return int(getattr(settings, "APPOINTMENTS_MAX_FUTURE_BOOKINGS", 3))


def reminder_hours() -> int:
    """Bookings starting within this many hours get their (single) reminder."""
    return int(getattr(settings, "APPOINTMENTS_REMINDER_HOURS", 24))


def reminder_interval_seconds() -> int:
    """How often the Celery beat runs the reminder task."""
    return int(getattr(settings, "APPOINTMENTS_REMINDER_INTERVAL_SECONDS", 15 * 60))


def slot_days() -> int:
    """How many days ahead ``generate_slots`` (and the demo) create slots."""
    return int(getattr(settings, "APPOINTMENTS_SLOT_DAYS", 14))


def service_name(code: str) -> str:
    names = getattr(settings, "APPOINTMENT_SERVICE_NAMES", SERVICE_NAMES_DEFAULT)
    zh, en = names.get(code, (code, code))
    return pick(zh, en)
