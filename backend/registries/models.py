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


class BirthCertificateQuerySet(models.QuerySet["BirthCertificate"]):
    def naming_parent(self, resident: Resident) -> Self:
        """The certificates on which ``resident`` is the mother or the father (matched under every index key, so
        this works during a key rotation)."""
        indexes = idnumbers.id_indexes(resident.id_number)
        return self.filter(models.Q(mother_id_index__in=indexes) | models.Q(father_id_index__in=indexes))


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


class BirthCertificate(models.Model):
    """出生医学证明 (卫生健康委员会): issued by the hospital of birth, the document every newborn service starts from.

    The parents' identity numbers are kept like the household registry keeps them (a blind index for lookups, the
    number sealed, a masked copy for lists): a parent need not be a resident of the city (a mother registered
    elsewhere), so they are not links to :class:`Resident`. ``child`` is set once the child is registered in the
    household registry (新生儿入户, or an import naming the child's ID number).
    """

    certificate_no = models.CharField(_("出生医学证明编号"), max_length=10, unique=True)
    child_name = models.CharField(_("新生儿姓名"), max_length=50)
    child_gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    birth_time = models.TimeField(_("出生时间"))
    hospital = models.CharField(_("接生机构"), max_length=100)
    mother_name = models.CharField(_("母亲姓名"), max_length=50)
    mother_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    mother_id_sealed = models.TextField(editable=False)
    mother_id_masked = models.CharField(_("母亲身份证号"), max_length=18, editable=False)
    father_name = models.CharField(_("父亲姓名"), max_length=50, blank=True)
    father_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    father_id_sealed = models.TextField(blank=True, editable=False)
    father_id_masked = models.CharField(_("父亲身份证号"), max_length=18, blank=True, editable=False)
    issued_date = models.DateField(_("签发日期"))
    child = models.OneToOneField(
        Resident,
        verbose_name=_("已登记户籍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="birth_certificate",
    )
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True)

    objects = BirthCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["certificate_no"]
        verbose_name = _("出生医学证明")
        verbose_name_plural = _("出生医学证明")

    def __str__(self) -> str:
        return self.certificate_no

    def set_parent_id(self, parent: str, value: str) -> None:
        """Index, seal and mask a parent's number (``parent`` is ``mother`` or ``father``; "" clears the father)."""
        if not value:
            index = sealed = masked = ""
        else:
            number = idnumbers.normalise(value)
            index = idnumbers.id_index(number)
            sealed, masked = idnumbers.seal(number, index), mask_id_number(number)
        setattr(self, f"{parent}_id_index", index)
        setattr(self, f"{parent}_id_sealed", sealed)
        setattr(self, f"{parent}_id_masked", masked)

    def parent_id(self, parent: str) -> str:
        """A parent's number in clear ("" when the certificate names no father)."""
        sealed, index = getattr(self, f"{parent}_id_sealed"), getattr(self, f"{parent}_id_index")
        return idnumbers.unseal(sealed, index) if sealed else ""

    def names_parent(self, resident: Resident) -> bool:
        """Whether ``resident`` is the mother or the father on this certificate (by the blind index)."""
        indexes = set(idnumbers.id_indexes(resident.id_number))
        return bool(indexes & ({self.mother_id_index, self.father_id_index} - {""}))


class InsuranceScheme(models.TextChoices):
    RESIDENT = "resident", _("城乡居民基本医疗保险")
    EMPLOYEE = "employee", _("职工基本医疗保险")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("参保缴费")
    SUSPENDED = "suspended", _("暂停参保")
    TERMINATED = "terminated", _("终止参保")


class MedicalInsuranceEnrolment(models.Model):
    """参保登记 (医疗保障局): one row per person and scheme; a person is actively insured in one scheme at a time."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="medical_insurance"
    )
    scheme = models.CharField(_("险种"), max_length=10, choices=InsuranceScheme.choices)
    status = models.CharField(_("参保状态"), max_length=10, choices=EnrolmentStatus.choices)
    coverage_start = models.DateField(_("待遇享受起始日"))
    enrolled_date = models.DateField(_("参保登记日期"))
    case_reference = models.CharField(_("办件编号"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True)

    class Meta:
        ordering = ["-enrolled_date", "-pk"]
        verbose_name = _("医保参保登记")
        verbose_name_plural = _("医保参保登记")
        constraints = [
            models.UniqueConstraint(fields=["resident", "scheme"], name="one_enrolment_per_scheme"),
            models.UniqueConstraint(
                fields=["resident"], condition=models.Q(status="active"), name="one_active_enrolment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_scheme_display()} {self.get_status_display()}"


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    ISSUING = "issuing", _("制卡中")
    LOST = "lost", _("挂失")


class CardDelivery(models.TextChoices):
    MAIL = "mail", _("邮寄到户籍地址")
    BRANCH = "branch", _("到合作银行网点领取")


class SocialSecurityCard(models.Model):
    """社会保障卡 (人力资源和社会保障局): a person holds at most one card that is active or being made."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("持卡人"), on_delete=models.PROTECT, related_name="social_security_cards"
    )
    card_no = models.CharField(_("社保卡卡号"), max_length=20, unique=True)
    status = models.CharField(_("卡状态"), max_length=10, choices=CardStatus.choices)
    issued_date = models.DateField(_("申领/发卡日期"))
    delivery = models.CharField(_("领卡方式"), max_length=10, choices=CardDelivery.choices, blank=True)
    case_reference = models.CharField(_("办件编号"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("部门更新时间"), auto_now=True)

    class Meta:
        ordering = ["card_no"]
        verbose_name = _("社会保障卡")
        verbose_name_plural = _("社会保障卡")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(status__in=["active", "issuing"]),
                name="one_card_in_use",
            )
        ]

    def __str__(self) -> str:
        return self.card_no


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
