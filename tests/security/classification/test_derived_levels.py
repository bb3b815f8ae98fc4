"""就高从严 for derived data: a derived dataset declared below its inputs is refused at
registration unless a reviewer's downgrade is recorded (audited ``catalog.downgrade``)."""

from __future__ import annotations

import pytest
from classification_world import make_spec
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Classification, Principal, Role
from zhiguo.core.errors import InputError, NotFound
from zhiguo.datacenter.catalog import DatasetRegistry, default_registry, record_downgrade
from zhiguo.security.audit import AuditRecord
from zhiguo.security.classification import DowngradeRefused

REVIEWER = Principal(user_id=1, username="leader", role=Role.REGULATOR_LEADER)


def test_builtin_derived_dataset_keeps_its_input_level() -> None:
    registry = default_registry()
    derived = registry.get("supervision.indicator_values")
    assert derived.inputs == ("flash_report",)
    assert registry.inherited_level(derived) is Classification.important
    assert derived.effective_classification.rank >= registry.inherited_level(derived).rank


def test_derived_below_its_input_is_refused(registry: DatasetRegistry) -> None:
    with pytest.raises(DowngradeRefused) as refused:
        registry.register(make_spec("t_summary", Classification.general, inputs=("t_core",)))
    assert refused.value.code == "ZG-SEC-102"
    assert "t_summary" not in registry
    # at or above the highest input is fine
    registry.register(
        make_spec("t_summary_ok", Classification.core, inputs=("t_core", "t_general"))
    )


def test_unknown_input_is_refused(registry: DatasetRegistry) -> None:
    with pytest.raises(NotFound):
        registry.register(make_spec("t_orphan", Classification.core, inputs=("t_missing",)))


def test_recorded_downgrade_is_audited_and_accepted(
    session: Session, registry: DatasetRegistry
) -> None:
    with pytest.raises(InputError):
        record_downgrade(
            session,
            dataset="t_summary",
            level=Classification.general,
            reviewer=REVIEWER,
            reason=" ",
            registry=registry,
        )
    record_downgrade(
        session,
        dataset="t_summary",
        level=Classification.important,
        reviewer=REVIEWER,
        reason="aggregated to provincial totals",
        registry=registry,
    )
    session.commit()
    # accepted down to the reviewed level, not below it
    with pytest.raises(DowngradeRefused):
        registry.register(make_spec("t_summary", Classification.general, inputs=("t_core",)))
    registry.register(make_spec("t_summary", Classification.important, inputs=("t_core",)))
    events = session.scalars(
        select(AuditRecord).where(AuditRecord.event_type == "catalog.downgrade")
    ).all()
    assert [(e.object, e.username) for e in events] == [("dataset:t_summary", "leader")]


def test_only_reviewers_may_downgrade(session: Session, registry: DatasetRegistry) -> None:
    analyst = Principal(user_id=2, username="ana", role=Role.ENTERPRISE_OFFICER)
    with pytest.raises(DowngradeRefused):
        record_downgrade(
            session,
            dataset="t_summary",
            level=Classification.general,
            reviewer=analyst,
            reason="because",
            registry=registry,
        )
