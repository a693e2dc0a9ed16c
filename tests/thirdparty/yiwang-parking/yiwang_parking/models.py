from django.db import models


class ParkingPermit(models.Model):
    """One permit per approved case, numbered per district. Refers to the case by reference: a module's table does
    not depend on the engine's schema."""

    case_reference = models.CharField(max_length=40, unique=True)
    plate = models.CharField(max_length=10)
    number = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.number} ({self.plate})"
