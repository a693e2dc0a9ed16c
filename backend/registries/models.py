"""Department registries.

In a real city these rows live in the departments' own systems behind the data-sharing exchange; here they are
local tables with the same natural keys (ID number, account number, certificate number), loaded by
``import_registry``. ``updated_at`` stands for "when the department last updated the record", which the consent
screen shows; it is indexed where the 免申即享 scan (``backend.proactive``) asks "which residents' data changed
since the last scan" (residents, fund accounts, homes — a change of owners included — and household incomes).
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department
from backend.core.masking import mask_id_number

from . import idnumbers


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ResidentQuerySet(models.QuerySet["Resident"]):
    def with_id_number(self, number: str) -> Self:
        """The person with this ID number, found by its blind index (the number itself is not in the table)."""
        return self.filter(id_number_index__in=idnumbers.id_indexes(number))

    def with_id_numbers(self, numbers: list[str]) -> Self:
        return self.filter(id_number_index__in=[i for n in numbers for i in idnumbers.id_indexes(n)])


class Resident(models.Model):
    """Household registry (户籍, 公安局): one row per person.

    The identity number is never stored in clear: ``id_number_index`` (keyed HMAC) answers lookups,
    ``id_number_sealed`` (encrypted, bound to the index) gives the number back to the code that needs it, through
    the ``id_number`` property, and ``id_number_masked`` is what lists show without decrypting.
    """

    id_number_index = models.CharField(_("身份证号索引"), max_length=64, unique=True, editable=False)
    id_number_sealed = models.TextField(_("身份证号密文"), editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    address = models.CharField(_("户籍地址"), max_length=200)
    district = models.CharField(_("区县"), max_length=50)
    household_id = models.CharField(_("户号"), max_length=40, db_index=True)
    photo = models.ImageField(_("户籍照片"), upload_to="registry_photos/", blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The real-name binding (实名认证): at most one account per identity and one identity per account.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("绑定账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    real_name_verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    # An adult under guardianship (成年被监护人): the guardian the court or the registry named; null for everyone
    # else. A child under 16 needs no entry: the guardian's link is the household.
    guardian = models.ForeignKey(
        "self",
        verbose_name=_("法定监护人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wards",
    )
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True, db_index=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("户籍人口")
        verbose_name_plural = _("户籍人口")

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked[:6]}…)"

    @property
    def id_number(self) -> str:
        """The number, decrypted once per instance (raises ``crypto.Unreadable`` if no configured key opens it)."""
        if not self.id_number_sealed:
            return ""
        cached: tuple[str, str] = self.__dict__.get("_id_number", ("", ""))
        token, number = cached
        if token != self.id_number_sealed:  # first read, or the row was reloaded
            number = idnumbers.unseal(self.id_number_sealed, self.id_number_index)
            self.__dict__["_id_number"] = (self.id_number_sealed, number)
        return number

    @id_number.setter
    def id_number(self, value: str) -> None:
        number = idnumbers.normalise(value)
        self.id_number_index = idnumbers.id_index(number)
        self.id_number_sealed = idnumbers.seal(number, self.id_number_index)
        self.id_number_masked = mask_id_number(number)
        self.__dict__["_id_number"] = (self.id_number_sealed, number)


class FundStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    FROZEN = "frozen", _("冻结")
    CLOSED = "closed", _("销户")


class ProvidentFundAccount(models.Model):
    """Housing provident fund account (住房公积金管理中心)."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("缴存人"), on_delete=models.PROTECT, related_name="provident_accounts"
    )
    account_no = models.CharField(_("公积金账号"), max_length=40, unique=True)
    status = models.CharField(_("账户状态"), max_length=10, choices=FundStatus.choices)
    balance = models.DecimalField(_("余额"), max_digits=12, decimal_places=2)
    monthly_deposit = models.DecimalField(_("月缴存额"), max_digits=10, decimal_places=2)
    months_contributed = models.PositiveIntegerField(_("连续缴存月数"))
    bank_card = models.CharField(_("绑定银行卡"), max_length=30)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["account_no"]
        verbose_name = _("公积金账户")
        verbose_name_plural = _("公积金账户")
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="fund_balance_not_negative")]

    def __str__(self) -> str:
        return self.account_no


class WithdrawalReason(models.TextChoices):
    RENT = "rent", _("租房")
    PURCHASE = "purchase", _("购房")


class ProvidentWithdrawal(models.Model):
    """A past withdrawal; the next application is judged against these."""

    account = models.ForeignKey(ProvidentFundAccount, on_delete=models.PROTECT, related_name="withdrawals")
    date = models.DateField(_("提取日期"))
    reason = models.CharField(_("提取原因"), max_length=10, choices=WithdrawalReason.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    case_reference = models.CharField(_("办件编号"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("公积金提取记录")
        verbose_name_plural = _("公积金提取记录")
        indexes = [models.Index(fields=["account", "reason", "date"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date} {self.reason} {self.amount}"


class Property(models.Model):
    """Real-estate registration (不动产登记, 自然资源和规划局), with the deed tax paid (税务局)."""

    certificate_no = models.CharField(_("不动产权证号"), max_length=80, unique=True)
    owners = models.ManyToManyField(Resident, verbose_name=_("权利人"), related_name="properties")
    address = models.CharField(_("坐落"), max_length=200)
    district = models.CharField(_("区县"), max_length=50)
    area_m2 = models.DecimalField(_("面积(㎡)"), max_digits=9, decimal_places=2)
    purchase_date = models.DateField(_("购买日期"))
    price = models.DecimalField(_("成交价"), max_digits=14, decimal_places=2)
    deed_tax_paid = models.DecimalField(_("已缴契税"), max_digits=12, decimal_places=2)
    first_home = models.BooleanField(_("首套房"), default=False)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["certificate_no"]
        verbose_name = _("不动产")
        verbose_name_plural = _("不动产")

    def __str__(self) -> str:
        return self.certificate_no


class HouseholdIncome(models.Model):
    """Household income per capita (民政局 low-income assessment)."""

    household_id = models.CharField(_("户号"), max_length=40, unique=True)
    monthly_income_per_capita = models.DecimalField(_("家庭人均月收入"), max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["household_id"]
        verbose_name = _("家庭收入")
        verbose_name_plural = _("家庭收入")

    def __str__(self) -> str:
        return f"{self.household_id}: {self.monthly_income_per_capita}"


class SchoolDistrict(models.Model):
    """School catchment (学区划分, 教育局): an address prefix maps to a primary school."""

    district = models.CharField(_("区县"), max_length=50)
    address_prefix = models.CharField(_("地址前缀"), max_length=200)
    school = models.CharField(_("学校"), max_length=100)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True)

    class Meta:
        ordering = ["district", "address_prefix"]
        verbose_name = _("学区")
        verbose_name_plural = _("学区")
        constraints = [models.UniqueConstraint(fields=["district", "address_prefix"], name="unique_school_district")]

    def __str__(self) -> str:
        return f"{self.address_prefix} → {self.school}"


class ActorType(models.TextChoices):
    SYSTEM = "system", _("系统自动")
    CLERK = "clerk", _("工作人员")
    RESIDENT = "resident", _("本人")
    DELEGATE = "delegate", _("代办人")


class DataAccessLog(models.Model):
    """One row per registry read about a person: who read which department's items, why, for which case.

    Append-only: the admin shows it read-only, and the resident sees their own rows at /api/v1/me/data-access.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    subject = models.ForeignKey(Resident, verbose_name=_("数据主体"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("数据来源部门"), on_delete=models.PROTECT)
    items = models.JSONField(_("数据项"), default=list)
    purpose = models.CharField(_("用途"), max_length=200)
    actor_type = models.CharField(_("访问方"), max_length=10, choices=ActorType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("访问人"), null=True, blank=True, on_delete=models.PROTECT
    )
    case_id = models.PositiveBigIntegerField(_("办件ID"), null=True, blank=True, db_index=True)
    case_reference = models.CharField(_("办件编号"), max_length=40, blank=True)
    # 免申即享: read by the city's scan for services the resident may qualify for, before anyone asked.
    proactive_scan = models.BooleanField(_("免申即享筛查"), default=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("数据访问记录")
        verbose_name_plural = _("数据访问记录")
        indexes = [models.Index(fields=["subject", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.department} {self.items}"
