"""新生儿出生一件事 Birth of a child: one application for the newborn's household registration (public security, a
clerk reviews it), the medical insurance enrolment (medical insurance bureau) and the social security card (human
resources and social security). Each member needs the one before it: the enrolment needs the ID number the
registration assigns, the card needs the enrolment; so they wait, in that order, while the public-security clerk
reviews the registration. The birth certificate number is asked once for all three."""

from __future__ import annotations

from backend.cases.sdk import Member, ServiceBundle, Text


class BirthOfAChild(ServiceBundle):
    code = "birth-of-a-child"
    name = Text("新生儿出生一件事", "Birth of a child")
    category = Text("生育", "Birth")
    summary = Text(
        "宝宝出生后，凭出生医学证明一次申请：落户、医保参保、社保卡申领依次办好，结果统一告知。",
        "After your baby is born, apply once with the birth certificate: household registration, medical "
        "insurance and the social security card, done in order, with one result.",
    )
    members = [
        Member("newborn-household-registration"),
        Member("medical-insurance-enrolment", after=("newborn-household-registration",)),
        Member("social-security-card", after=("medical-insurance-enrolment",)),
    ]
    keywords = ["出生", "新生儿", "落户", "医保", "社保卡", "一件事", "birth", "newborn"]


bundle = BirthOfAChild()
