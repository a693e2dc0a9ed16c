"""Demo city events: categories with owning departments and time limits, a district routing rule, and a dozen
reports across 郑州's districts in every status (one a duplicate of another). Idempotent: categories by code,
reports by their ``idempotency_key`` (``demo-N``), so a second run creates nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from backend.accounts.models import Department, Role, User

from .models import EventAction, EventCategory, EventReport, EventSource, RoutingRule
from .services import create_report, staff_action

H = 1
DAY = 24

#: code, zh, en, group, department, response h, resolution h, keywords, attributes
CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "manhole-cover", "name_zh": "井盖缺失破损", "name_en": "Missing or broken manhole cover",
        "group": "市政设施", "department": "city_management", "response_hours": 2 * H, "resolution_hours": 1 * DAY,
        "keywords": "井盖,窨井,安全隐患", "description_zh": "井盖缺失、破损、下沉：紧急事件，2 小时内响应。",
        "description_en": "Missing, broken or sunken manhole cover: an emergency, answered within 2 hours.",
        "attributes": [
            {"code": "hazard", "datatype": "singlevaluelist", "required": False, "order": 1,
             "description": "井盖状况", "values": [{"key": "open", "name": "井口敞开"},
                                               {"key": "broken", "name": "井盖破损"},
                                               {"key": "sunken", "name": "井盖下沉"}]},
        ],
    },
    {
        "code": "street-light", "name_zh": "路灯故障", "name_en": "Street light out",
        "group": "市政设施", "department": "city_management", "response_hours": 1 * DAY,
        "resolution_hours": 3 * DAY, "keywords": "路灯,照明", "description_zh": "路灯不亮、常亮或灯杆损坏。",
        "description_en": "Street light out, always on, or a damaged pole.",
        "attributes": [
            {"code": "pole_no", "datatype": "string", "required": False, "order": 1,
             "description": "灯杆编号（灯杆上的铭牌，选填）"},
        ],
    },
    {
        "code": "road-damage", "name_zh": "道路破损", "name_en": "Damaged road or pavement", "group": "市政设施",
        "department": "city_management", "response_hours": 1 * DAY, "resolution_hours": 7 * DAY,
        "keywords": "坑洼,路面,人行道", "description_zh": "路面坑洼、塌陷，人行道砖松动。",
        "description_en": "Potholes, subsidence, loose paving.", "attributes": [],
    },
    {
        "code": "waterlogging", "name_zh": "道路积水", "name_en": "Flooded road or blocked drain", "group": "市政设施",
        "department": "city_management", "response_hours": 2 * H, "resolution_hours": 1 * DAY,
        "keywords": "积水,下水道,排水", "description_zh": "道路积水、雨水口堵塞：紧急事件，2 小时内响应。",
        "description_en": "Flooded road or blocked drain: an emergency, answered within 2 hours.", "attributes": [],
    },
    {
        "code": "garbage", "name_zh": "垃圾乱堆", "name_en": "Dumped rubbish", "group": "市容环境",
        "department": "city_management", "response_hours": 1 * DAY, "resolution_hours": 3 * DAY,
        "keywords": "垃圾,卫生,建筑垃圾", "description_zh": "生活垃圾、建筑垃圾乱堆乱倒。",
        "description_en": "Dumped household or construction waste.", "attributes": [],
    },
    {
        "code": "street-vending", "name_zh": "占道经营", "name_en": "Street vending on the pavement",
        "group": "市容环境", "department": "city_management", "response_hours": 1 * DAY,
        "resolution_hours": 7 * DAY, "keywords": "摊贩,占道", "description_zh": "摊贩占用道路、人行道经营。",
        "description_en": "Vendors occupying roads or pavements.", "attributes": [],
    },
    {
        "code": "illegal-construction", "name_zh": "违法建设", "name_en": "Illegal construction", "group": "规划建设",
        "department": "city_management", "response_hours": 1 * DAY, "resolution_hours": 7 * DAY,
        "keywords": "违建,私搭乱建", "description_zh": "私搭乱建、违规加层。郑东新区、航空港区由自然资源和规划局办理。",
        "description_en": "Unauthorised building work. In 郑东新区 and 航空港区 handled by Natural Resources.",
        "attributes": [],
    },
    {
        "code": "illegal-parking", "name_zh": "违章停车", "name_en": "Illegal parking", "group": "交通秩序",
        "department": "public_security", "response_hours": 2 * H, "resolution_hours": 1 * DAY,
        "keywords": "停车,占道,消防通道", "description_zh": "车辆占用消防通道、盲道或违规停放。",
        "description_en": "Vehicles blocking fire lanes, tactile paving, or parked illegally.",
        "attributes": [
            {"code": "plate", "datatype": "string", "required": False, "order": 1, "description": "车牌号（选填）"},
        ],
    },
    {
        "code": "noise", "name_zh": "噪音扰民", "name_en": "Noise nuisance", "group": "市容环境",
        "department": "public_security", "response_hours": 1 * DAY, "resolution_hours": 7 * DAY,
        "keywords": "噪音,施工,夜间", "description_zh": "夜间施工、商业噪音扰民。",
        "description_en": "Night-time construction or commercial noise.", "attributes": [],
    },
]  # fmt: skip

#: (category, district, department): district split of a category.
ROUTING_RULES = [
    ("illegal-construction", "郑东新区", "natural_resources"),
    ("illegal-construction", "航空港区", "natural_resources"),
]

#: key, reporter phone, category, lat, long, address, description, hours ago, staff steps to apply
REPORTS: list[tuple] = [
    ("demo-1", "13800000001", "street-light", 34.78620, 113.66850, "郑州市金水区花园路与农业路交叉口东50米",
     "路灯连续三晚不亮，路口很黑。", 50, ["dispatch", "start", "resolve"]),
    ("demo-2", "13800000002", "street-light", 34.78640, 113.66870, "郑州市金水区花园路农业路口",
     "路口东侧路灯不亮。", 30, []),  # 25 m from demo-1 within 7 days: a duplicate
    ("demo-3", "13800000003", "manhole-cover", 34.76210, 113.72610, "郑州市郑东新区如意西路18号门口",
     "井盖缺失，已放了个锥桶，很危险。", 5, ["dispatch"]),
    ("demo-4", "13800000005", "road-damage", 34.75010, 113.61520, "郑州市中原区建设西路120号附近",
     "非机动车道有个大坑，电动车容易摔。", 100, ["dispatch", "start"]),
    ("demo-5", "13800000006", "garbage", 34.72390, 113.64180, "郑州市二七区大学路40号院南门",
     "建筑垃圾堆在路边一周没人清理。", 200, ["dispatch", "start", "resolve", "close"]),
    ("demo-6", "13800000007", "street-vending", 34.75380, 113.67790, "郑州市管城回族区商城路25号",
     "早市摊贩占满人行道。", 20, []),
    ("demo-7", "13800000004", "illegal-construction", 34.77120, 113.73350, "郑州市郑东新区商务外环路9号院",
     "楼顶私自加盖彩钢房。", 70, ["dispatch"]),  # routed to 自然资源和规划局 by the district rule
    ("demo-8", "13800000008", "illegal-parking", 34.74820, 113.60950, "郑州市中原区桐柏路90号院门口",
     "车辆长期占用消防通道。", 3, []),
    ("demo-9", "13800000010", "waterlogging", 34.72560, 113.63710, "郑州市二七区大学路88号",
     "雨后路面积水没过脚踝。", 30, ["dispatch", "start", "resolve"]),
    ("demo-10", "13800000011", "noise", 34.80150, 113.66120, "郑州市金水区经三路15号",
     "工地夜间十一点后仍在施工。", 150, ["dispatch", "start", "resolve", "close"]),
    ("demo-11", "13800000012", "road-damage", 34.77820, 113.72050, "郑州市郑东新区如意东路",
     "人行道砖松动翘起。", 12, []),
    ("demo-12", "13800000013", "garbage", 34.74950, 113.62010, "郑州市中原区华山路31号",
     "垃圾桶满溢无人清运。", 80, ["dispatch", "start", "resolve"]),
]  # fmt: skip


def load_categories() -> tuple[int, int]:
    created = 0
    for spec in CATEGORIES:
        values = {k: v for k, v in spec.items() if k not in ("code", "department")}
        values["department"] = Department.objects.get(code=spec["department"])
        _, was_created = EventCategory.objects.update_or_create(code=spec["code"], defaults=values)
        created += was_created
    for category, district, department in ROUTING_RULES:
        RoutingRule.objects.update_or_create(
            category=EventCategory.objects.get(code=category),
            district=district,
            defaults={"department": Department.objects.get(code=department)},
        )
    return created, len(CATEGORIES) - created


def _clerk_of(report: EventReport) -> User | None:
    return User.objects.filter(role=Role.CLERK, department=report.department).order_by("id").first()


def load(today: dt.date, log: Callable[[str], None]) -> None:
    created, kept = load_categories()
    log(f"event categories: {created} created, {kept} updated; routing rules: {len(ROUTING_RULES)}")
    made = 0
    now = timezone.now()
    for key, phone, category, lat, long, address, description, hours_ago, steps in REPORTS:
        reporter = User.objects.filter(phone="+86" + phone).first()
        if reporter is None:
            log(f"skipped {key}: demo resident {phone} not found")
            continue
        report, was_created = create_report(
            reporter,
            category=category,
            lat=lat,
            long=long,
            address=address,
            description=description,
            source=EventSource.DEMO,
            idempotency_key=key,
            created_at=now - dt.timedelta(hours=hours_ago),
        )
        if not was_created:
            continue
        made += 1
        EventAction.objects.filter(report=report).update(at=report.created_at)
        clerk = _clerk_of(report)
        for step in steps:
            if clerk is None:
                break
            report = staff_action(report, clerk, step, reason="演示数据" if step == "close" else "")
    log(f"event reports: {made} created, {len(REPORTS) - made} already there")
