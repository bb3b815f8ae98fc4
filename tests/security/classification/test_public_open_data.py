"""The public reads only datasets that are open AND 一般 AND free of personal fields."""

from __future__ import annotations

import pytest

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.datacenter.lake import LakeTable, scoped_snapshot
from zhiguo.security.classification import ClearanceTooLow, clearance_for, may_unmask


def test_public_reads_open_general_dataset_whole(lake: dict[str, LakeTable]) -> None:
    assert scoped_snapshot(lake["t_open"], Scope.public()).to_table().num_rows == 3


@pytest.mark.parametrize(
    "name", ["t_general", "t_important", "t_core", "t_people", "t_open_people", "t_open_important"]
)
def test_public_is_refused_everything_else(lake: dict[str, LakeTable], name: str) -> None:
    with pytest.raises(ClearanceTooLow):
        scoped_snapshot(lake[name], Scope.public())


def test_public_role_never_rises_above_general_nor_unmasks() -> None:
    assert clearance_for("public", "core").value == "general"
    assert may_unmask("public", True) is False
    assert clearance_for("regulator-analyst", "core").value == "core"  # a grant raises
    assert clearance_for("regulator-leader", None).value == "core"
    assert clearance_for("regulator-analyst", "general").value == "important"  # role floor
    assert clearance_for("system-admin", None).value == "general"
    assert clearance_for("no-such-role", "bogus").value == "general"


def test_resolve_scope_gives_the_public_open_data_only(sample_session) -> None:  # type: ignore[no-untyped-def]
    from zhiguo.security import resolve_scope

    scope = resolve_scope(
        session=sample_session,
        principal=Principal(user_id=999, username="p", role=Role.PUBLIC),
    )
    assert scope.open_only and scope.enterprise_ids == frozenset()
    assert scope.clearance.value == "general" and not scope.may_unmask
