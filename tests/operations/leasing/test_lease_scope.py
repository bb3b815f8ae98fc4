"""Who sees what: a carrier its own carrier's requests and leases, an enterprise the leases
on its group's sites (and their requests), the regulator everything, anyone else nothing —
and out of view is 404 (LeaseNotFound), never 403."""

from __future__ import annotations

import pytest
from leasing_fixtures import add_site, carrier, lease_in_state, officer, point_request, regulator
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.core.errors import PermissionDenied
from zhiguo.operations.leasing import (
    LeaseCaller,
    LeaseNotFound,
    create_lease,
    create_request,
    get_lease,
    get_request,
    list_leases,
    list_requests,
    match_request,
    withdraw_request,
)


def test_a_carrier_cannot_read_another_carriers_request(sample_session: Session) -> None:
    mine = point_request(sample_session, carrier("mobile"))
    theirs = point_request(sample_session, carrier("telecom"))
    assert [r.id for r in list_requests(session=sample_session, caller=carrier("mobile"))] == [mine]
    with pytest.raises(LeaseNotFound) as err:
        get_request(session=sample_session, caller=carrier("mobile"), request_id=theirs)
    assert err.value.http_status == 404
    with pytest.raises(LeaseNotFound):
        match_request(session=sample_session, caller=carrier("mobile"), request_id=theirs)
    with pytest.raises(LeaseNotFound):
        withdraw_request(session=sample_session, caller=carrier("mobile"), request_id=theirs)
    with pytest.raises(LeaseNotFound):
        create_lease(
            session=sample_session,
            caller=carrier("mobile"),
            request_id=theirs,
            site_id=add_site(sample_session, "A1").id,
        )


def test_a_carrier_sees_only_its_own_leases(sample_session: Session) -> None:
    mine = lease_in_state(sample_session, "survey", who=carrier("mobile"))
    theirs = lease_in_state(sample_session, "survey", who=carrier("unicom"))
    seen = [v.lease.id for v in list_leases(session=sample_session, caller=carrier("mobile"))]
    assert seen == [mine]
    with pytest.raises(LeaseNotFound):
        get_lease(session=sample_session, caller=carrier("mobile"), lease_id=theirs)


def test_an_enterprise_sees_only_leases_on_its_groups_sites(sample_session: Session) -> None:
    g1 = lease_in_state(sample_session, "request", owner="A11")
    g2 = lease_in_state(sample_session, "request", owner="B1")
    as_g1, as_g2, as_a1 = (officer(sample_session, k) for k in ("G1", "G2", "A1"))
    assert [v.lease.id for v in list_leases(session=sample_session, caller=as_g1)] == [g1]
    assert [v.lease.id for v in list_leases(session=sample_session, caller=as_g2)] == [g2]
    assert [v.lease.id for v in list_leases(session=sample_session, caller=as_a1)] == [g1]
    with pytest.raises(LeaseNotFound):
        get_lease(session=sample_session, caller=as_g1, lease_id=g2)
    with pytest.raises(LeaseNotFound):
        get_lease(session=sample_session, caller=as_g2, lease_id=g1)


def test_an_enterprise_sees_a_request_once_a_lease_on_its_site_exists(
    sample_session: Session,
) -> None:
    who = carrier()
    request_id = point_request(sample_session, who)
    as_g1 = officer(sample_session, "G1")
    with pytest.raises(LeaseNotFound):
        get_request(session=sample_session, caller=as_g1, request_id=request_id)
    create_lease(
        session=sample_session,
        caller=who,
        request_id=request_id,
        site_id=add_site(sample_session, "A2").id,
    )
    assert get_request(session=sample_session, caller=as_g1, request_id=request_id).id == (
        request_id
    )
    assert list_requests(session=sample_session, caller=officer(sample_session, "G2")) == []
    with pytest.raises(LeaseNotFound):  # matching shows candidate sites of every group
        match_request(session=sample_session, caller=as_g1, request_id=request_id)


def test_the_regulator_sees_everything(sample_session: Session) -> None:
    a = lease_in_state(sample_session, "request", owner="A1", who=carrier("cbn"))
    b = lease_in_state(sample_session, "request", owner="B11", who=carrier("tower"))
    assert {v.lease.id for v in list_leases(session=sample_session, caller=regulator())} == {a, b}
    assert len(list_requests(session=sample_session, caller=regulator())) == 2


@pytest.mark.parametrize(
    "caller",
    [
        LeaseCaller("citizen", Role.PUBLIC, Scope.public()),
        LeaseCaller("sysadmin", Role.SYSTEM_ADMIN, Scope.nothing()),
        LeaseCaller("nocarrier", Role.CARRIER, Scope.nothing(), carrier=None),
    ],
)
def test_anyone_else_sees_nothing(sample_session: Session, caller: LeaseCaller) -> None:
    lease_id = lease_in_state(sample_session, "request")
    assert list_leases(session=sample_session, caller=caller) == []
    assert list_requests(session=sample_session, caller=caller) == []
    with pytest.raises(LeaseNotFound):
        get_lease(session=sample_session, caller=caller, lease_id=lease_id)


def test_only_the_carrier_side_files_requests(sample_session: Session) -> None:
    with pytest.raises(PermissionDenied):
        point_request(sample_session, officer(sample_session, "G1"))
    with pytest.raises(PermissionDenied):  # a carrier files for its own carrier only
        create_request(
            session=sample_session, caller=carrier("mobile"), carrier="telecom", band="n78",
            lon=114.06, lat=22.54, radius_m=500,
        )  # fmt: skip
    admin = LeaseCaller("admin", Role.PLATFORM_ADMIN, Scope.everything())
    req = create_request(
        session=sample_session, caller=admin, carrier="telecom", band="n41",
        lon=114.06, lat=22.54, radius_m=500,
    )  # fmt: skip
    assert req.carrier == "telecom"
