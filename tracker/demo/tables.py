"""The demo county's tables: its name and codes, the pools of names and places, and the weighted values a household
is drawn from (categories, statuses, labour, risks, measures). Invented, Henan-like; no real person or place.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

COUNTY = "清河县"
COUNTY_CODE = "411790"  # fictional, Henan-like (41 = 河南, 17 = 驻马店)
AREA_CODE = "0396"
#: Where household heads were born: mostly this county, some elsewhere in Henan.
BIRTH_REGIONS = (COUNTY_CODE,) * 8 + ("411700", "410102", "411721", "411524")

ERROR_KINDS = (
    "id_check_digit",
    "income_text",
    "labor_missing",
    "unknown_risk",
    "zero_people",
    "short_phone",
    "measure_end_before_start",
    "measure_unknown_household",
)
ERROR_SHARE = 0.005

T = TypeVar("T")



class Weighted(Generic[T]):
    """Values with relative weights, drawn with a single ``random()`` (much faster than ``choices``)."""

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        self.values = tuple(values)
        self.cum = tuple(accumulate(weights))

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]




# ------------------------------------------------------------------------------------- word pools

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦江尹薛闫段雷侯史陶贺顾毛郝邵万严武孔汤"
)
SURNAME = Weighted(SURNAMES, [1 / (rank + 4) for rank in range(len(SURNAMES))])
MALE_CHARS = "建国军伟强磊涛明刚勇杰志平华成海东林峰文辉亮鹏飞俊斌永新春宝山福贵长青德振金玉清祥顺广满"
FEMALE_CHARS = "秀英兰芳丽娟敏霞玲红梅琴桂珍凤云莲娥翠萍艳春花荣淑彩玉香巧"

TOWNSHIP_FIRST = "安平永兴长和丰泰福新宝华金玉龙凤石柳杨桃李黄白青高双三五大小东西南北古马刘孙"
TOWNSHIP_SECOND = "店桥集寨庄岗湾营铺岭坡沟口楼园堂屯河湖台埠坊庙堡"
VILLAGE_PREFIX = "前后东西南北大小上下"
VILLAGE_SURNAMES = SURNAMES[:40]
VILLAGE_PLACE = "庄寨楼营集屯店岗湾桥洼园坡铺沟湖台岭"

REMARKS = (
    "户主长期外出务工",
    "2024年住院治疗，已申请医疗救助",
    "已落实防贫保险理赔",
    "子女在读大学",
    "房屋经鉴定为C级危房，已改造",
    "家中有重度残疾人",
    "赡养义务人在外地",
    "雨季易受内涝影响",
)

#: 措施类别 → [(具体措施, amount range or None)]
MEASURES: dict[str, tuple[tuple[str, tuple[int, int] | None], ...]] = {
    "产业帮扶": (
        ("扶贫小额信贷", (30000, 50000)),
        ("产业奖补", (1000, 5000)),
        ("到户产业项目", (2000, 8000)),
        ("肉牛养殖帮扶", None),
        ("光伏收益分配", (500, 1500)),
    ),
    "就业帮扶": (
        ("公益岗位", (3600, 7200)),
        ("技能培训", None),
        ("转移就业交通补贴", (300, 1000)),
        ("就业推荐", None),
        ("帮扶车间就业", None),
    ),
    "兜底保障": (
        ("农村低保", (3000, 9000)),
        ("特困供养", (5000, 8000)),
        ("医疗救助", (1000, 20000)),
        ("残疾人两项补贴", (1200, 2400)),
        ("城乡居民医保资助参保", (300, 400)),
    ),
    "临时救助": (("临时救助", (1000, 8000)),),
    "社会帮扶": (
        ("防贫保险", None),
        ("结对帮扶", None),
        ("爱心企业捐助", (500, 3000)),
        ("消费帮扶", None),
    ),
    "扶志扶智": (
        ("雨露计划", (3000, 3000)),
        ("教育资助", (1000, 5000)),
        ("技能培训", None),
        ("道德积分超市", None),
    ),
}
MEASURE_KINDS = tuple(MEASURES)
#: Measure kinds by labor capacity (weights in MEASURE_KINDS order).
KIND_BY_LABOR = {
    "有劳动能力": Weighted(MEASURE_KINDS, (38, 38, 3, 3, 10, 8)),
    "弱劳动能力": Weighted(MEASURE_KINDS, (20, 30, 20, 5, 15, 10)),
    "无劳动能力": Weighted(MEASURE_KINDS, (4, 0, 65, 7, 20, 4)),
}
MEASURE_COUNT = Weighted((0, 1, 2, 3), (15, 35, 35, 15))

CATEGORIES = ("脱贫监测户", "边缘户")
CATEGORY_WEIGHTS = (55, 45)
STATUSES = ("监测中", "风险已消除", "已纳入建档立卡", "返贫", "自然减少")
STATUS_WEIGHTS = (70, 22, 2, 3, 3)
LABORS = ("有劳动能力", "弱劳动能力", "无劳动能力")
LABOR_WEIGHTS = (55, 25, 20)
RISKS = ("因病", "因残", "因学", "因灾", "因疫情", "因意外事故", "因产业失败", "因务工就业不稳",
         "缺劳动力", "住房安全", "饮水安全", "其他")  # fmt: skip
RISK_WEIGHTS = (35, 15, 8, 5, 2, 5, 4, 8, 10, 2, 1, 5)
PEOPLE_WEIGHTS = (10, 20, 22, 22, 13, 8, 3, 2)  # 1..8 people

CATEGORY = Weighted(CATEGORIES, CATEGORY_WEIGHTS)
STATUS = Weighted(STATUSES, STATUS_WEIGHTS)
LABOR = Weighted(LABORS, LABOR_WEIGHTS)
PEOPLE = Weighted(range(1, 9), PEOPLE_WEIGHTS)
#: Without full labor capacity, disability and lack of labor are twice as likely.
RISK_BY_LABOR = {
    labor: Weighted(
        RISKS,
        [
            w * (2 if labor != "有劳动能力" and risk in ("因残", "缺劳动力") else 1)
            for risk, w in zip(RISKS, RISK_WEIGHTS, strict=True)
        ],
    )
    for labor in LABORS
}
