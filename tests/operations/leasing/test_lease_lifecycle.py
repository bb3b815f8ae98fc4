"""The lease lifecycle: allowed steps, who takes them, what each needs, and the event trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from leasing_fixtures import add_site, carrier, lease_in_state, officer, point_request, regulator
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.operations.leasing import (
    STATES,
    TRANSITIONS,
    IllegalTransition,
    Lease,
    LeaseEvent,
    LeaseInputError,
    LeaseNotFound,
    NotYourStep,
    RequestClosed,
    SiteNotLeasable,
    TermNotOver,
    TermRequired,
    create_lease,
    get_lease,
    get_request,
    transition_lease,
    withdraw_request,
)
from zhiguo.operations.sites.models import Site


def _events(session: Session, lease_id: int) -> list[tuple[str | None, str]]:
    rows = session.scalars(
        select(LeaseEvent).where(LeaseEvent.lease_id == lease_id).order_by(LeaseEvent.id)
    )
    return [(e.from_state, e.to_state) for e in rows]


def test_the_main_path_records_every_step(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "ended")
    assert _events(sample_session, lease_id) == [
        (None, "request"),
        ("request", "survey"),
        ("survey", "approval"),
        ("approval", "contract"),
        ("contract", "active"),
        ("active", "ended"),
    ]
    lease = sample_session.get(Lease, lease_id)
    assert lease is not None
    assert (lease.state, lease.rent_cny_year, lease.ended_on) == (
        "ended",
        Decimal("36500.00"),
        date(2026, 12, 31),
    )


@pytest.mark.parametrize("state", ["request", "survey", "approval", "contract", "active"])
def test_every_transition_leaves_one_event_row(sample_session: Session, state: str) -> None:
    lease_id = lease_in_state(sample_session, state)
    before = len(_events(sample_session, lease_id))
    to = "withdrawn" if state != "active" else "ended"
    transition_lease(
        session=sample_session,
        caller=carrier(),
        lease_id=lease_id,
        to=to,
        note="运营商撤回 / carrier withdrew",
        end=date(2026, 6, 30) if to == "ended" else None,
    )
    events = _events(sample_session, lease_id)
    assert len(events) == before + 1
    assert events[-1] == (state, to)
    actor = sample_session.scalars(
        select(LeaseEvent.actor).where(LeaseEvent.lease_id == lease_id).order_by(LeaseEvent.id)
    ).all()[-1]
    assert actor == "mobile_user"


@pytest.mark.parametrize(
    ("state", "to"),
    [
        ("request", "active"),
        ("request", "contract"),
        ("survey", "ended"),
        ("active", "survey"),
        ("ended", "active"),
        ("withdrawn", "survey"),
    ],
)
def test_illegal_transitions_are_conflicts_naming_both_states(
    sample_session: Session, state: str, to: str
) -> None:
    if state == "withdrawn":
        lease_id = lease_in_state(sample_session, "request")
        transition_lease(session=sample_session, caller=carrier(), lease_id=lease_id, to=state)
    else:
        lease_id = lease_in_state(sample_session, state)
    n = len(_events(sample_session, lease_id))
    with pytest.raises(IllegalTransition) as err:
        transition_lease(
            session=sample_session,
            caller=regulator(),
            lease_id=lease_id,
            to=to,
            rent_cny_year=Decimal(1000),
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
        )
    assert type(err.value) is IllegalTransition
    assert err.value.code == "ZG-LEASE-010" and err.value.http_status == 409
    assert f"({state})" in err.value.message_en and f"({to})" in err.value.message_en
    assert len(_events(sample_session, lease_id)) == n


def test_the_transition_table_only_names_known_states() -> None:
    assert {s for pair in TRANSITIONS for s in pair} == set(STATES)


def test_the_carrier_cannot_take_the_owners_steps(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "request")
    with pytest.raises(NotYourStep) as err:
        transition_lease(session=sample_session, caller=carrier(), lease_id=lease_id, to="survey")
    assert err.value.code == "ZG-LEASE-011"


def test_the_owner_cannot_withdraw_for_the_carrier(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "survey", owner="A1")
    with pytest.raises(NotYourStep):
        transition_lease(
            session=sample_session,
            caller=officer(sample_session, "G1"),
            lease_id=lease_id,
            to="withdrawn",
        )


def test_the_owning_group_surveys_and_another_group_sees_nothing(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "request", owner="A11")
    with pytest.raises(LeaseNotFound):
        transition_lease(
            session=sample_session,
            caller=officer(sample_session, "G2"),
            lease_id=lease_id,
            to="survey",
        )
    transition_lease(
        session=sample_session,
        caller=officer(sample_session, "A1"),  # A11's parent
        lease_id=lease_id,
        to="survey",
    )
    detail = get_lease(
        session=sample_session, caller=officer(sample_session, "G1"), lease_id=lease_id
    )
    assert detail.view.lease.state == "survey"
    assert detail.allowed == ["approval", "rejected"]


def test_operations_staff_read_but_do_not_act(sample_session: Session) -> None:
    from zhiguo.core.access import Role

    lease_id = lease_in_state(sample_session, "request", owner="A1")
    staff = officer(sample_session, "G1", role=Role.OPERATIONS_STAFF)
    assert get_lease(session=sample_session, caller=staff, lease_id=lease_id).allowed == []
    with pytest.raises(NotYourStep):
        transition_lease(session=sample_session, caller=staff, lease_id=lease_id, to="survey")


@pytest.mark.parametrize(
    ("rent", "start", "end"),
    [
        (None, date(2026, 1, 1), date(2026, 12, 31)),
        (Decimal(0), date(2026, 1, 1), date(2026, 12, 31)),
        (Decimal(1000), None, date(2026, 12, 31)),
        (Decimal(1000), date(2026, 1, 1), None),
        (Decimal(1000), date(2026, 12, 31), date(2026, 1, 1)),
    ],
)
def test_a_contract_needs_a_rent_and_a_term(
    sample_session: Session, rent: Decimal | None, start: date | None, end: date | None
) -> None:
    lease_id = lease_in_state(sample_session, "approval")
    with pytest.raises(TermRequired) as err:
        transition_lease(
            session=sample_session,
            caller=regulator(),
            lease_id=lease_id,
            to="contract",
            rent_cny_year=rent,
            start=start,
            end=end,
        )
    assert err.value.code == "ZG-LEASE-004" and err.value.http_status == 422
    lease = sample_session.get(Lease, lease_id)
    assert lease is not None and lease.state == "approval" and lease.rent_cny_year is None


def test_ending_early_needs_a_note(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "active")
    with pytest.raises(TermNotOver):
        transition_lease(
            session=sample_session,
            caller=regulator(),
            lease_id=lease_id,
            to="ended",
            end=date(2026, 6, 30),
        )
    with pytest.raises(LeaseInputError):  # after the term's end
        transition_lease(
            session=sample_session,
            caller=regulator(),
            lease_id=lease_id,
            to="ended",
            end=date(2027, 1, 5),
            note="x",
        )
    transition_lease(
        session=sample_session,
        caller=carrier(),
        lease_id=lease_id,
        to="ended",
        end=date(2026, 6, 30),
        note="设备搬迁 / equipment moved",
    )
    lease = sample_session.get(Lease, lease_id)
    assert lease is not None and lease.ended_on == date(2026, 6, 30)


def test_active_puts_the_carrier_on_the_site_and_ended_takes_it_off(
    sample_session: Session,
) -> None:
    lease_id = lease_in_state(sample_session, "active")
    lease = sample_session.get(Lease, lease_id)
    assert lease is not None
    site = sample_session.get(Site, lease.site_id)
    assert site is not None and (site.status, site.carriers) == ("in_service", "mobile")
    transition_lease(
        session=sample_session, caller=regulator(), lease_id=lease_id, to="ended",
        end=date(2026, 12, 31),
    )  # fmt: skip
    assert (site.status, site.carriers) == ("available", "")


def test_withdrawing_a_request_withdraws_its_open_leases(sample_session: Session) -> None:
    who = carrier("unicom")
    request_id = point_request(sample_session, who)
    a = create_lease(
        session=sample_session,
        caller=who,
        request_id=request_id,
        site_id=add_site(sample_session, "A1").id,
    )
    b = create_lease(
        session=sample_session,
        caller=who,
        request_id=request_id,
        site_id=add_site(sample_session, "B1").id,
    )
    transition_lease(session=sample_session, caller=regulator(), lease_id=b.id, to="survey")
    withdraw_request(session=sample_session, caller=who, request_id=request_id, note="不再需要")
    assert get_request(session=sample_session, caller=who, request_id=request_id).status == (
        "withdrawn"
    )
    assert _events(sample_session, a.id)[-1] == ("request", "withdrawn")
    assert _events(sample_session, b.id)[-1] == ("survey", "withdrawn")
    with pytest.raises(RequestClosed):
        create_lease(
            session=sample_session,
            caller=who,
            request_id=request_id,
            site_id=add_site(sample_session, "A2").id,
        )


def test_a_site_is_not_leased_twice_to_one_carrier(sample_session: Session) -> None:
    who = carrier()
    site = add_site(sample_session, "A1")
    create_lease(
        session=sample_session, caller=who, request_id=point_request(sample_session, who),
        site_id=site.id,
    )  # fmt: skip
    with pytest.raises(SiteNotLeasable):
        create_lease(
            session=sample_session, caller=who, request_id=point_request(sample_session, who),
            site_id=site.id,
        )  # fmt: skip
    other = carrier("telecom")  # sharing: another carrier may lease the same site
    create_lease(
        session=sample_session, caller=other, request_id=point_request(sample_session, other),
        site_id=site.id,
    )  # fmt: skip
    blocked = add_site(sample_session, "A1", status="unavailable")
    with pytest.raises(SiteNotLeasable):
        create_lease(
            session=sample_session, caller=other, request_id=point_request(sample_session, other),
            site_id=blocked.id,
        )  # fmt: skip


def test_ending_without_a_date_after_the_term_ends_on_its_last_day(sample_session: Session) -> None:
    lease_id = lease_in_state(sample_session, "active", end=date(2026, 3, 31))
    transition_lease(
        session=sample_session, caller=regulator(), lease_id=lease_id, to="ended",
        today=date(2026, 5, 2),
    )  # fmt: skip
    lease = sample_session.get(Lease, lease_id)
    assert lease is not None and lease.ended_on == date(2026, 3, 31)
