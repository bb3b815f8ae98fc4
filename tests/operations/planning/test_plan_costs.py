"""Site costs, pinned and excluded flags."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from zhiguo.operations.planning.costs import CostModel, site_costs


@dataclass
class S:
    code: str
    site_type: str = "rooftop"
    status: str = "available"
    carriers: str = ""
    rent_cny_year: Decimal | None = None
    restrictions: str = ""


def test_cost_is_rent_plus_equipment_with_a_sharing_discount() -> None:
    model = CostModel(
        equipment_cny={"rooftop": 100.0, "smart_pole": 10.0},
        default_rent_cny_year={"rooftop": 20.0, "smart_pole": 2.0},
        rent_years=2.0,
        sharing_discount=0.25,
        carrier="telecom",
    )
    sites = [
        S("own-rent", rent_cny_year=Decimal("50")),  # 2 × 50 + 100
        S("default-rent"),  # 2 × 20 + 100
        S("pole", site_type="smart_pole"),  # 2 × 2 + 10
        S("shared", carriers="mobile,unicom"),  # (2 × 20 + 100) × 0.75
        S("own-carrier", carriers="telecom"),  # its own equipment is not sharing
    ]
    cost, pinned, excluded = site_costs(sites, model)
    assert cost.tolist() == pytest.approx([200.0, 140.0, 14.0, 105.0, 140.0])
    assert not pinned.any() and not excluded.any()


def test_pinned_and_excluded() -> None:
    sites = [
        S("built", status="in_service"),
        S("gone", status="unavailable"),
        S("taken", status="leased"),
        S("held", status="reserved"),
        S("banned", restrictions="文物保护建筑，禁止安装天线"),
        S("night", restrictions="施工限夜间 22:00 前"),
        S("user"),
        S("built-but-listed", status="in_service"),
    ]
    cost, pinned, excluded = site_costs(sites, exclude_codes={"user", "built-but-listed"})
    assert pinned.tolist() == [True, False, False, False, False, False, False, True]
    assert excluded.tolist() == [False, True, True, True, True, False, True, False]
    assert cost[0] == 0.0 and cost[7] == 0.0  # already built: no cost
    assert (cost[1:7] > 0).all()


def test_cost_model_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        CostModel(sharing_discount=1.0)
