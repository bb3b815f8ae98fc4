"""A deterministic, fictitious portfolio for 示例市 (Demo City)'s regulator: the demo world.

Why it exists: demos, screenshots, benchmarks and end-to-end tests need a registry that
looks like a real city's — thirty top-level groups from water to semiconductors, skewed
ownership trees four (or five) levels deep, minority stakes held across groups, a few
transfers between parents, listed and deregistered companies — without ever naming a real
enterprise. So every Chinese name starts with 示例, every English one with ``Demo``, and
every USCC is built from a fixed fictitious organisation-code prefix.

The world depends only on ``(scale, seed)``: one ``random.Random(seed)`` drives every
choice, so a bug report that says "scale M, seed 7" can be reproduced exactly. The output
speaks the registry's own import rows (:class:`EnterpriseRecord`, :class:`OwnershipRecord`)
and honours the registry's invariants: shares of one child never exceed 100 % on any date,
at most one controlling parent per child per date, no cycles, no overlapping periods for a
parent-child pair, and ``level`` is the depth by controlling edges as of :data:`AS_OF`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from zhiguo.core import InputError, make_uscc
from zhiguo.registry.industries import category_for, normalise_industry_code
from zhiguo.registry.schemas import (
    EnterpriseRecord,
    EnterpriseStatus,
    OwnershipRecord,
    SupervisionClass,
)

__all__ = ["AS_OF", "SCALES", "World", "demo_contacts", "generate_world"]

SCALES: dict[str, int] = {"S": 1500, "M": 10_000, "L": 100_000}
"""Target number of enterprises (groups included) for each scale."""

AS_OF = date(2026, 11, 25)
"""The demo's "today": ``level`` is the depth by controlling edges on this date."""

_ORG_PREFIX = "99"  # fictitious first two characters of every GB 11714 organisation code
_FIRST_DAY = date(2005, 1, 1).toordinal()
_LAST_DAY = date(2023, 12, 31).toordinal()  # ordinary edges start no later than this
_CHANGE_FIRST = date(2024, 1, 1).toordinal()  # transfers between parents happen in
_CHANGE_LAST = date(2026, 6, 30).toordinal()  # this window, always before AS_OF
_HUNDRED = Decimal("100")


@dataclass(frozen=True)
class World:
    """One generated portfolio; ``enterprises`` lists every parent before its children."""

    seed: int
    scale: str
    enterprises: list[EnterpriseRecord]
    ownership: list[OwnershipRecord]
    groups: list[str]  # USCCs of the top-level groups, in order


class _District(NamedTuple):
    code: str  # GB/T 2260 county-level division
    zh: str
    en: str
    weight: float  # how often a subsidiary is registered there


_DISTRICTS = (
    _District("440303", "罗湖", "Luohu", 1.0),
    _District("440304", "福田", "Futian", 2.0),
    _District("440305", "南山", "Nanshan", 2.0),
    _District("440306", "宝安", "Bao'an", 1.3),
    _District("440307", "龙岗", "Longgang", 1.3),
    _District("440308", "盐田", "Yantian", 0.5),
    _District("440309", "龙华", "Longhua", 1.0),
    _District("440310", "坪山", "Pingshan", 0.5),
    _District("440311", "光明", "Guangming", 0.5),
)
_DISTRICT_CUM = [sum(d.weight for d in _DISTRICTS[: i + 1]) for i in range(len(_DISTRICTS))]


class _Sector(NamedTuple):
    """One top-level group template: names, GB/T 4754-2017 codes, class and relative size."""

    brand_zh: str  # subsidiaries are named 示例{brand_zh}（{district}）{function}有限公司
    brand_en: str
    name_zh: str
    name_en: str
    industry: str
    supervision: SupervisionClass
    weight: float  # relative size of the group's tree
    hq: int  # index into _DISTRICTS
    functions: str  # "zh:en:industry|..." — what its subsidiaries do


_C1, _C2, _PW = (
    SupervisionClass.COMMERCIAL_1,
    SupervisionClass.COMMERCIAL_2,
    SupervisionClass.PUBLIC_WELFARE,
)

# fmt: off
_SECTORS = (
    _Sector("水务", "Water", "示例市水务集团有限公司", "Demo City Water Group Co., Ltd.",
            "D4610", _PW, 6, 1, "供水:Water Supply:D4610|排水:Drainage:D4620|污水处理:"
            "Wastewater Treatment:D4620|再生水:Reclaimed Water:D4690|水质检测:Water Quality "
            "Testing:M7452|管网工程:Pipe Network Engineering:E4852|"
            "水务运营:Water Operations:D4610"),
    _Sector("燃气", "Gas", "示例市燃气集团有限公司", "Demo City Gas Group Co., Ltd.",
            "D4511", _C2, 5, 1, "燃气:Gas Supply:D4511|管道燃气:Piped Gas:D4511|液化石油气:"
            "LPG:D4512|燃气工程:Gas Engineering:E4852|加气站:Gas Stations:F5266|"
            "燃气销售:Gas Sales:F5162"),
    _Sector("地铁", "Metro", "示例市地铁集团有限公司", "Demo City Metro Group Co., Ltd.",
            "G5412", _C2, 12, 1, "运营:Operations:G5412|轨道建设:Rail Construction:E4814|"
            "广告:Advertising:L7259|商业:Commercial Management:L7222|设计:Design:M7484|"
            "上盖物业:Transit Development:K7010|轨道科技:Rail Technology:I6531"),
    _Sector("巴士", "Bus", "示例市巴士集团有限公司", "Demo City Bus Group Co., Ltd.",
            "G5411", _PW, 5, 0, "公交:Bus Services:G5411|旅游客运:Coach Tours:G5422|"
            "出租车:Taxi:G5413|汽车维修:Vehicle Repair:O8111|充电:EV Charging:F5267|"
            "场站:Depot Management:G5489"),
    _Sector("港务", "Port", "示例市港务集团有限公司", "Demo City Port Group Co., Ltd.",
            "G5532", _C2, 6, 5, "码头:Terminal:G5532|集装箱:Container Terminal:G5532|"
            "客运码头:Passenger Terminal:G5531|航运:Shipping:G5522|装卸:Stevedoring:G5910|"
            "船务代理:Shipping Agency:G5821|仓储:Warehousing:G5920"),
    _Sector("机场", "Airport", "示例市机场集团有限公司", "Demo City Airport Group Co., Ltd.",
            "G5631", _C2, 6, 3, "航站楼:Terminal Operations:G5631|地面服务:Ground Services:G5639|"
            "航空物流:Air Logistics:G5612|航空商业:Airport Retail:L7222|"
            "空港酒店:Airport Hotel:H6110|"
            "航空广告:Airport Advertising:L7259|空港信息:Airport IT:I6540"),
    _Sector("能源", "Energy", "示例市能源集团有限公司", "Demo City Energy Group Co., Ltd.",
            "D4412", _C2, 9, 1, "电力:Power:D4420|热电:Cogeneration:D4412|光伏:Solar Power:D4416|"
            "风电:Wind Power:D4415|燃料:Fuel Trading:F5162|电力工程:Power Engineering:E4879|"
            "节能:Energy Saving:M7514"),
    _Sector("粮储", "Grain", "示例市粮食储备集团有限公司",
            "Demo City Grain Reserve Group Co., Ltd.", "G5951", _PW, 1.5, 0,
            "粮食储备:Grain Reserve:G5951|粮油贸易:Grain Trading:F5111|"
            "米业:Rice Milling:C1311|油脂:Edible Oil:C1331|粮食物流:Grain Logistics:G5920"),
    _Sector("农批", "Agri-Market", "示例市农产品批发市场集团有限公司",
            "Demo City Agricultural Wholesale Market Group Co., Ltd.", "L7223", _C2, 3, 2,
            "市场:Market Management:L7223|果蔬:Fruit and Vegetables:F5123|水产:Seafood:F5124|"
            "冷链:Cold Chain:G5930|食品检测:Food Testing:M7452|农批电商:E-commerce:I6431"),
    _Sector("投控", "Investment", "示例市投资控股有限公司",
            "Demo City Investment Holdings Co., Ltd.", "L7212", _C2, 14, 1,
            "资本:Capital Management:J6760|产业园:Industrial Park:L7221|"
            "基金管理:Fund Management:J6739|商业:Commercial Management:L7222|"
            "融资租赁:Financial Leasing:J6631|商业保理:Factoring:J6639|产业投资:Industrial "
            "Investment:L7212"),
    _Sector("智城", "Smart City", "示例市智慧城市科技发展集团有限公司",
            "Demo City Smart City Technology Group Co., Ltd.", "I6531", _C2, 4, 2,
            "数据:Data Services:I6550|软件:Software:I6513|物联网:IoT:I6532|信息系统:Information "
            "Systems:I6531|通信:Communications:I6319|运维:IT Operations:I6540"),
    _Sector("建工", "Construction", "示例市建工集团有限公司",
            "Demo City Construction Engineering Group Co., Ltd.", "E4710", _C1, 13, 1,
            "建筑:Building:E4710|市政:Municipal Works:E4813|路桥:Roads and Bridges:E4812|"
            "安装:Installation:E4920|装饰:Decoration:E5011|建筑设计:Architectural Design:M7484|"
            "建材:Building Materials:C3021|监理:Construction Supervision:M7482|劳务:Labour "
            "Services:L7263"),
    _Sector("城更", "Urban Renewal", "示例市城市更新集团有限公司",
            "Demo City Urban Renewal Group Co., Ltd.", "K7010", _C2, 10, 0,
            "开发:Development:K7010|更新:Renewal Projects:K7010|商业:Commercial Management:"
            "L7222|租赁:Leasing:K7040|代建:Project Management:M7481|园区:Park Management:L7221"),
    _Sector("文旅", "Culture & Tourism", "示例市文化旅游集团有限公司",
            "Demo City Culture and Tourism Group Co., Ltd.", "N7861", _C1, 5, 2,
            "旅游:Travel Services:L7271|景区:Scenic Area:N7861|演艺:Performing Arts:R8810|"
            "酒店:Hotel:H6110|文创:Cultural Creative:R8890|游乐:Amusement Park:R9020"),
    _Sector("环境", "Environment", "示例市环境集团有限公司",
            "Demo City Environment Group Co., Ltd.", "N7820", _PW, 4, 4,
            "环卫:Sanitation:N7820|固废:Solid Waste:N7723|水环境:Water "
            "Environment:N7721|再生资源:Recycling:F5191|环保能源:Waste-to-Energy:D4417|"
            "环境监测:Environmental Monitoring:M7461"),
    _Sector("医药", "Pharma", "示例市医药集团有限公司", "Demo City Pharmaceutical Group Co., Ltd.",
            "C2720", _C1, 4, 7, "制药:Pharmaceutical:C2720|生物:Biotech:C2761|中药:Traditional "
            "Medicine:C2740|医药商业:Pharmaceutical Distribution:F5151|药房:Pharmacy:F5251|"
            "医疗器械:Medical Devices:C3581"),
    _Sector("物流", "Logistics", "示例市物流集团有限公司", "Demo City Logistics Group Co., Ltd.",
            "G5810", _C1, 5, 3, "物流:Logistics:G5810|仓储:Warehousing:G5920|运输:Freight "
            "Transport:G5431|冷链:Cold Chain:G5930|快递:Express Delivery:G6020|货代:Freight "
            "Forwarding:G5821"),
    _Sector("担保", "Guarantee", "示例市融资担保集团有限公司",
            "Demo City Financing Guarantee Group Co., Ltd.", "J6999", _C2, 1.5, 1,
            "担保:Guarantee:J6999|再担保:Re-guarantee:J6999|小额贷款:Microcredit:J6635|"
            "典当:Pawn:J6633|资产管理:Asset Management:J6950"),
    _Sector("创投", "Venture", "示例市创新投资集团有限公司",
            "Demo City Venture Capital Group Co., Ltd.", "J6731", _C1, 5, 1,
            "创业投资:Venture Capital:J6731|天使投资:Angel Investment:J6732|股权投资:Private "
            "Equity:J6739|基金管理:Fund Management:J6739|孵化器:Incubator:M7540"),
    _Sector("金控", "Financial", "示例市金融控股有限公司", "Demo City Financial Holdings Co., Ltd.",
            "J6920", _C1, 4, 1, "证券:Securities:J6712|融资租赁:Financial Leasing:J6631|"
            "村镇银行:Rural Bank:J6621|保险经纪:Insurance Brokerage:J6851|支付:Payments:J6930|"
            "财务:Finance Company:J6632|金融科技:Fintech:I6513"),
    _Sector("科研", "Research", "示例市科学技术研究院有限公司",
            "Demo City Academy of Science and Technology Co., Ltd.", "M7320", _C1, 2, 2,
            "研究院:Research Institute:M7320|检测:Testing:M7452|认证:Certification:M7455|"
            "计量:Metrology:M7453|技术转移:Technology Transfer:M7530|新材料:New Materials:M7513"),
    _Sector("高速", "Expressway", "示例市高速公路集团有限公司",
            "Demo City Expressway Group Co., Ltd.", "G5483", _C2, 3, 4,
            "高速公路:Expressway Operations:G5483|养护:Road Maintenance:G5483|路桥建设:Road "
            "Construction:E4812|服务区:Service Areas:G5489|交通科技:Transport Technology:I6531"),
    _Sector("安居", "Talent Housing", "示例市人才安居集团有限公司",
            "Demo City Talent Housing Group Co., Ltd.", "K7010", _PW, 3, 1,
            "安居:Housing:K7010|租赁住房:Rental Housing:K7040|安居建设:Housing Construction:E4710|"
            "社区商业:Community Retail:L7222"),
    _Sector("传媒", "Media", "示例市传媒集团有限公司", "Demo City Media Group Co., Ltd.",
            "R8610", _C1, 3, 1, "报业:Newspapers:R8622|出版:Publishing:R8621|广播电视:"
            "Broadcasting:R8720|影视:Film and TV Production:R8730|广告:Advertising:L7259|"
            "数字传媒:Digital Media:I6579|印务:Printing:C2311"),
    _Sector("会展", "Expo", "示例市会展体育集团有限公司",
            "Demo City Exhibition and Sports Group Co., Ltd.", "L7289", _C1, 2, 6,
            "会展:Exhibitions:L7289|场馆:Venue Management:R8921|体育:Sports:R8930|"
            "赛事:Sports Events:R8911|会展酒店:Convention Hotel:H6110"),
    _Sector("食品", "Food", "示例市食品集团有限公司", "Demo City Food Group Co., Ltd.",
            "F5124", _C2, 3, 0, "食品:Food Supply:F5124|肉类:Meat Processing:C1353|粮油:"
            "Grain and Oil:F5121|超市:Supermarkets:F5212|团餐:Catering:H6241|"
            "冷链:Cold Chain:G5930"),
    _Sector("酒店", "Hotels", "示例市酒店集团有限公司", "Demo City Hotels Group Co., Ltd.",
            "H6110", _C1, 2, 0, "酒店:Hotel:H6110|餐饮:Restaurants:H6210|公寓:Serviced "
            "Apartments:H6190|快餐:Fast Food:H6220|旅行社:Travel Agency:L7271"),
    _Sector("电子", "Electronics", "示例市电子集团有限公司",
            "Demo City Electronics Group Co., Ltd.", "C3911", _C1, 5, 1,
            "计算机:Computers:C3911|通信设备:Communications Equipment:C3921|"
            "显示:Displays:C3974|传感器:Sensors:C3983|电路板:Circuit Boards:C3982|智能设备:"
            "Smart Devices:C3969|电子贸易:Electronics Trading:F5179"),
    _Sector("半导体", "Semiconductor", "示例市半导体产业集团有限公司",
            "Demo City Semiconductor Group Co., Ltd.", "C3973", _C1, 3, 7,
            "集成电路:Integrated Circuits:C3973|芯片设计:Chip Design:I6520|封装测试:Packaging "
            "and Testing:C3973|半导体设备:Semiconductor Equipment:C3562|电子材料:Electronic "
            "Materials:C3985|功率器件:Power Devices:C3972"),
    _Sector("健康", "Health", "示例市健康集团有限公司", "Demo City Health Group Co., Ltd.",
            "Q8411", _PW, 3, 2, "医院:Hospital:Q8411|专科医院:Specialist Hospital:Q8415|门诊:"
            "Clinic:Q8425|体检:Health Check:Q8491|养老:Elderly Care:Q8514|医疗用品:Medical "
            "Supplies:F5154"),
)
# fmt: on

# Functions any group's subsidiaries may have, besides their sector's own.
_COMMON_FUNCTIONS = (
    "投资:Investment:L7212|物业:Property Services:K7020|置业:Real Estate:K7010|"
    "科技:Technology:I6513|贸易:Trading:F5199|服务:Services:L7229|咨询:Consulting:L7243|"
    "供应链:Supply Chain:L7224|人力资源:Human Resources:L7269|工程:Engineering:E4899"
)
# After a mixed-ownership reform (混改) a strategic investor outside the portfolio holds 10 %.
_MIXED_OWNERSHIP = frozenset({"建工", "电子"})


class _Function(NamedTuple):
    zh: str
    en: str
    industry: str  # normalised GB/T 4754-2017 code
    category: str


def _parse_functions(spec: str) -> list[_Function]:
    out = []
    for item in spec.split("|"):
        zh, en, code = item.split(":")
        industry, category = _industry(code)
        out.append(_Function(zh, en, industry, category))
    return out


def _industry(code: str) -> tuple[str, str]:
    normalised = normalise_industry_code(code)
    if normalised is None or len(normalised) != 5:
        raise ValueError(f"demo world: {code!r} is not a GB/T 4754-2017 class code")
    return normalised, category_for(normalised).value


@dataclass(slots=True)
class _Node:
    """A working enterprise while the world is generated; parents are indices into the list."""

    group: int
    level: int
    parent: int  # current controlling parent, -1 for a group
    start: int  # ordinal of its first controlling edge (founding day for a group)
    district: int
    function: int  # index into the group's function list, -1 for a group
    old_parent: int = -1  # controlling parent before a transfer
    change: int = 0  # ordinal of the transfer day
    second_parent: int = -1  # a top-level group holding a minority stake
    has_children: bool = False
    listed: bool = False
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE


def generate_world(scale: str = "S", seed: int = 20261125) -> World:
    """Generate the Demo City portfolio; the same ``(scale, seed)`` gives an identical world."""
    if scale not in SCALES:
        raise InputError(
            f"演示数据规模应为 {'/'.join(SCALES)} 之一，实际为 {scale!r}",
            f"Demo world scale must be one of {', '.join(SCALES)}; got {scale!r}",
        )
    rng = random.Random(seed)
    target = SCALES[scale]
    depth = 4 if scale == "S" else 5
    functions = [
        _parse_functions(s.functions) + _parse_functions(_COMMON_FUNCTIONS) for s in _SECTORS
    ]
    for sector, fns in zip(_SECTORS, functions, strict=True):
        if len({f.zh for f in fns}) != len(fns) or len({f.en for f in fns}) != len(fns):
            raise ValueError(f"demo world: duplicate function names for {sector.brand_en}")
    core = [len(f) - len(_COMMON_FUNCTIONS.split("|")) for f in functions]
    nodes = _grow_trees(rng, target, depth, core, functions)
    _add_transfers(rng, nodes)
    _add_minority_stakes(rng, nodes)
    _mark_listed_and_closed(rng, nodes, core)
    return _to_world(rng, seed, scale, nodes, functions)


def _group_sizes(rng: random.Random, target: int) -> list[int]:
    """Split ``target`` over the sectors by weight (±10 % noise), largest remainder first."""
    weights = [s.weight * rng.uniform(0.9, 1.1) for s in _SECTORS]
    total = sum(weights)
    raw = [target * w / total for w in weights]
    sizes = [math.floor(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: sizes[i] - raw[i])
    for i in by_remainder[: target - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _level_counts(rng: random.Random, subsidiaries: int, depth: int) -> list[int]:
    """How many of a group's subsidiaries sit at levels 2, 3, … ``depth``."""
    m = subsidiaries
    if m <= 0:
        return []
    second = max(1, min(round(m * rng.uniform(0.14, 0.22)), round(3 * math.sqrt(m))))
    rest = m - second
    fractions = (0.45,) if depth == 4 else (0.38, 0.50)  # the deepest level takes the rest
    counts = [second] + [round(rest * f) for f in fractions]
    counts.append(m - sum(counts))
    kept: list[int] = []
    for count in counts:  # a tiny group stops at the first empty level
        if count <= 0:
            break
        kept.append(count)
    kept[-1] += m - sum(kept)
    return kept


def _grow_trees(
    rng: random.Random,
    target: int,
    depth: int,
    core: list[int],
    functions: list[list[_Function]],
) -> list[_Node]:
    """Groups first, then each group's subsidiaries level by level, siblings together."""
    # Groups have no parent edge; their subsidiaries' edges may start from 2005-01-01.
    nodes = [_Node(g, 1, -1, _FIRST_DAY, s.hq, -1) for g, s in enumerate(_SECTORS)]
    for g, size in enumerate(_group_sizes(rng, target)):
        layer = [g]
        for level, count in enumerate(_level_counts(rng, size - 1, depth), start=2):
            # Skewed fertility: a few parents hold many subsidiaries, many hold none.
            cum: list[float] = []
            acc = 0.0
            for _ in layer:
                acc += min(rng.paretovariate(1.2), 40.0)
                cum.append(acc)
            picks = sorted(rng.choices(range(len(layer)), cum_weights=cum, k=count))
            next_layer = []
            for pick in picks:
                parent = nodes[layer[pick]]
                parent.has_children = True
                span = _LAST_DAY - parent.start
                start = parent.start + int(span * rng.random() ** (1.3 if level == 2 else 2.0))
                district = (
                    parent.district
                    if rng.random() < 0.4
                    else rng.choices(range(len(_DISTRICTS)), cum_weights=_DISTRICT_CUM)[0]
                )
                if rng.random() < 0.75:
                    function = rng.randrange(core[g])
                else:
                    function = rng.randrange(core[g], len(functions[g]))
                next_layer.append(len(nodes))
                nodes.append(_Node(g, level, layer[pick], start, district, function))
            layer = next_layer
    return nodes


def _add_transfers(rng: random.Random, nodes: list[_Node]) -> None:
    """~1 %: the controlling stake passed from one parent to another in the same group.

    The old parent sits at the same level as the new one, so levels (and acyclicity) hold on
    every date; it was already held when the old edge began.
    """
    by_layer: dict[tuple[int, int], list[int]] = {}
    for i, n in enumerate(nodes):
        by_layer.setdefault((n.group, n.level), []).append(i)
    candidates = [i for i, n in enumerate(nodes) if n.level >= 3]
    wanted = round(len(nodes) * 0.01)
    done = 0
    for i in rng.sample(candidates, min(len(candidates), wanted * 3)):
        if done == wanted:
            break
        child = nodes[i]
        peers = by_layer[(child.group, child.level - 1)]
        for _ in range(8):
            old = peers[rng.randrange(len(peers))]
            if old != child.parent and nodes[old].start <= child.start:
                child.old_parent = old
                child.change = rng.randint(_CHANGE_FIRST, _CHANGE_LAST)
                nodes[old].has_children = True
                done += 1
                break


def _add_minority_stakes(rng: random.Random, nodes: list[_Node]) -> None:
    """~5 %: another top-level group holds a non-controlling stake (groups have no parents,
    so such an edge can never close a cycle)."""
    candidates = [i for i, n in enumerate(nodes) if n.level >= 2 and n.old_parent < 0]
    wanted = round(len(nodes) * 0.05)
    for i in rng.sample(candidates, min(len(candidates), wanted)):
        other = rng.randrange(len(_SECTORS) - 1)
        nodes[i].second_parent = other if other < nodes[i].group else other + 1


def _mark_listed_and_closed(rng: random.Random, nodes: list[_Node], core: list[int]) -> None:
    """~2 % listed (mostly level 2, in the sector's core business), ~1.5 % deregistered or
    suspended (leaves only)."""
    listed = round(len(nodes) * 0.02)
    level2 = [i for i, n in enumerate(nodes) if n.level == 2]
    level3 = [i for i, n in enumerate(nodes) if n.level == 3 and n.old_parent < 0]
    from2 = min(len(level2), round(listed * 0.8))
    chosen = rng.sample(level2, from2) + rng.sample(level3, min(len(level3), listed - from2))
    for i in chosen:
        node = nodes[i]
        node.listed = True
        if node.function >= core[node.group]:
            node.function = rng.randrange(core[node.group])
    leaves = [i for i, n in enumerate(nodes) if not n.has_children and not n.listed]
    closed = rng.sample(leaves, min(len(leaves), round(len(nodes) * 0.015)))
    for k, i in enumerate(closed):
        nodes[i].status = (
            EnterpriseStatus.SUSPENDED if k % 3 == 2 else EnterpriseStatus.DEREGISTERED
        )


_ZH_DIGITS = "零一二三四五六七八九"


def _zh_number(n: int) -> str:
    """2 → 二, 10 → 十, 21 → 二十一, 105 → 一百零五; Arabic digits from 10 000 on."""
    if not 0 < n < 10_000:
        return str(n)
    if n < 20:
        return _ZH_DIGITS[n] if n < 10 else "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    parts: list[str] = []
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            parts.append(("零" if gap else "") + _ZH_DIGITS[digit] + unit)
            gap = False
        elif parts:
            gap = True
    return "".join(parts)


def _share(rng: random.Random, *, whole_allowed: bool, high: int = 9000) -> Decimal:
    """A controlling share: mostly 100 %, else 51–90 % with two (sometimes four) decimals."""
    if whole_allowed and rng.random() < 0.6:
        return _HUNDRED
    if rng.random() < 0.1:
        return Decimal(rng.randint(510_000, high * 100)).scaleb(-4)
    return Decimal(rng.randint(5100, high)).scaleb(-2)


def _to_world(
    rng: random.Random,
    seed: int,
    scale: str,
    nodes: list[_Node],
    functions: list[list[_Function]],
) -> World:
    group_industry = [_industry(s.industry) for s in _SECTORS]
    usccs = [
        make_uscc("9", "1", _DISTRICTS[n.district].code, f"{_ORG_PREFIX}{i:06d}")
        for i, n in enumerate(nodes)
    ]
    seen: dict[tuple[int, int, str], int] = {}
    enterprises: list[EnterpriseRecord] = []
    ownership: list[OwnershipRecord] = []
    for i, n in enumerate(nodes):
        district = _DISTRICTS[n.district]
        if n.parent < 0:
            sector = _SECTORS[n.group]
            industry, category = group_industry[n.group]
            mixed = sector.brand_zh in _MIXED_OWNERSHIP
            enterprises.append(
                EnterpriseRecord(
                    uscc=usccs[i],
                    name_zh=sector.name_zh,
                    name_en=sector.name_en,
                    short_name=f"示例{sector.brand_zh}",
                    industry_code=industry,
                    industry_category=category,
                    region_code=district.code,
                    supervision_class=sector.supervision,
                    state_share_pct=Decimal("90") if mixed else _HUNDRED,
                    level=1,
                )
            )
            continue
        sector = _SECTORS[n.group]
        fn = functions[n.group][n.function]
        key = (n.group, n.district, fn.zh)
        seen[key] = ordinal = seen.get(key, 0) + 1
        nth_zh = f"第{_zh_number(ordinal)}" if ordinal > 1 else ""
        nth_en = f"No. {ordinal} " if ordinal > 1 else ""
        joint_stock = n.listed or rng.random() < 0.12
        enterprises.append(
            EnterpriseRecord(
                uscc=usccs[i],
                name_zh=f"示例{sector.brand_zh}（{district.zh}）{nth_zh}{fn.zh}"
                + ("股份有限公司" if joint_stock else "有限公司"),
                name_en=f"Demo {sector.brand_en} ({district.en}) {nth_en}{fn.en} "
                + ("Corporation Limited" if joint_stock else "Co., Ltd."),
                short_name=f"{sector.brand_zh}{district.zh}{nth_zh}{fn.zh}",
                industry_code=fn.industry,
                industry_category=fn.category,
                region_code=district.code,
                status=n.status,
                is_listed=n.listed,
                level=n.level,
            )
        )
        ownership.extend(_edges(rng, n, usccs, usccs[i]))
    return World(
        seed=seed,
        scale=scale,
        enterprises=enterprises,
        ownership=ownership,
        groups=usccs[: len(_SECTORS)],
    )


def _edges(rng: random.Random, n: _Node, usccs: list[str], child: str) -> list[OwnershipRecord]:
    """The child's controlling edge(s) — two consecutive ones after a transfer — and any
    minority stake; the stakes of one child never add up to more than 100 %."""
    minority = n.second_parent >= 0
    top = 7500 if n.listed else 9000  # listed: leave room for the free float
    share = _share(rng, whole_allowed=not (minority or n.listed), high=top)
    start = date.fromordinal(n.start)
    if n.old_parent < 0:
        edges = [
            OwnershipRecord(
                child_uscc=child, parent_uscc=usccs[n.parent], share_pct=share, valid_from=start
            )
        ]
    else:
        change = date.fromordinal(n.change)
        before = _share(rng, whole_allowed=True)
        edges = [
            OwnershipRecord(
                child_uscc=child,
                parent_uscc=usccs[n.old_parent],
                share_pct=before,
                valid_from=start,
                valid_to=change,
            ),
            OwnershipRecord(
                child_uscc=child, parent_uscc=usccs[n.parent], share_pct=share, valid_from=change
            ),
        ]
    if minority:
        room = int((_HUNDRED - share) * 100)  # in hundredths of a percent
        stake = Decimal(rng.randint(min(100, room), room)).scaleb(-2)
        since = date.fromordinal(rng.randint(n.start, _LAST_DAY))
        edges.append(
            OwnershipRecord(
                child_uscc=child,
                parent_uscc=usccs[n.second_parent],
                share_pct=stake,
                controlling=False,
                valid_from=since,
            )
        )
    return edges


_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def demo_contacts(world: World) -> dict[str, tuple[str, str]]:
    """USCC → (法定代表人, contact phone) for every demo enterprise — FICTITIOUS personal
    data for the encrypted-field tour: every name is 示例 + a surname + 某 (``示例张某``),
    every phone 1380000xxxx, an obviously made-up number block. Drawn from its own
    ``Random`` so the rest of the world does not change with it."""
    rng = random.Random(f"{world.seed}:contacts")
    return {
        e.uscc: (f"示例{rng.choice(_SURNAMES)}某", f"1380000{rng.randrange(10_000):04d}")
        for e in world.enterprises
    }
