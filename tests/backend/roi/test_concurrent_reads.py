"""The ROI endpoints' queries run in parallel on connections of their own (queries.Reads):
they answer what the session would, and all read the session's snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from backend.services.roi import queries
from backend.services.roi.cohorts import cohort_report
from backend.services.roi.overview import overview
from backend.services.roi.report import GROUP_BY, RoiRequest, roi_report
from tests.backend.roi.conftest import AS_OF, JAN1, JAN10

COUNT_RATES = "SELECT count(*) FROM fx_rates WHERE currency = 'CHF'"


@pytest.mark.parametrize("group_by", GROUP_BY)
def test_concurrent_reads_answer_what_the_session_reads(world, group_by):
    request = RoiRequest(JAN1, JAN10, group_by)
    sequential = roi_report(request, AS_OF)
    assert sequential["totals"]["customers"] == 4
    assert roi_report(request, AS_OF, concurrent=True) == sequential


@pytest.mark.parametrize("grain", ["day", "month"])
def test_concurrent_cohorts_answer_what_the_session_reads(world, grain):
    sequential = cohort_report(JAN1, JAN10, grain, as_of=AS_OF)
    assert sum(c["customers"] for c in sequential["cohorts"]) == 4
    assert any(c["survival"] for c in sequential["cohorts"])
    assert cohort_report(JAN1, JAN10, grain, as_of=AS_OF, concurrent=True) == sequential


def test_a_concurrent_overview_answers_what_the_session_reads(world):
    sequential = overview(JAN1, JAN10, AS_OF)
    assert sequential["current"]["spend"] == 370.0
    assert overview(JAN1, JAN10, AS_OF, concurrent=True) == sequential


def test_every_concurrent_read_sees_the_snapshot_of_the_session(db):
    db.session.execute(text("SELECT 1"))  # the session's transaction is open
    reads = queries.Reads(concurrent=True)
    with db.engine.begin() as other:  # a load commits after the snapshot was taken
        other.execute(
            text(
                "INSERT INTO fx_rates (date, currency, reporting_currency, rate, source) "
                "VALUES ('2024-01-02', 'CHF', 'USD', 1.1, 'test')"
            )
        )
    first, second = reads.submit(COUNT_RATES, {}), reads.submit(COUNT_RATES, {})
    assert first.result()[1] == second.result()[1] == [(0,)]
    # without the snapshot, a new read of the session (read committed) sees the load
    assert db.session.execute(text(COUNT_RATES)).scalar_one() == 1
    assert queries.Reads().submit(COUNT_RATES, {}).result()[1] == [(1,)]


def test_concurrent_reads_have_the_configured_work_mem_and_the_session_keeps_its_own(db):
    setting = "SELECT current_setting('work_mem')"
    own = db.session.execute(text(setting)).scalar_one()
    reads = queries.Reads(concurrent=True, work_mem="48MB")
    assert reads.submit(setting, {}).result()[1] == [("48MB",)]
    # the setting is that read's transaction's: the pool's next user of the connection and
    # the session are back to the server's
    assert queries.Reads(concurrent=True).submit(setting, {}).result()[1] == [(own,)]
    assert db.session.execute(text(setting)).scalar_one() == own


def test_concurrent_reads_run_without_jit_compilation_and_the_session_keeps_its_own(db):
    # compiling a long range's aggregates cost more than the query saved (~400 ms at 1M)
    setting = "SELECT current_setting('jit')"
    own = db.session.execute(text(setting)).scalar_one()
    assert queries.Reads(concurrent=True).submit(setting, {}).result()[1] == [("off",)]
    with_memory = queries.Reads(concurrent=True, work_mem="48MB")
    assert with_memory.submit(setting, {}).result()[1] == [("off",)]
    assert db.session.execute(text(setting)).scalar_one() == own


def _exports_of(db, action) -> int:
    """How many snapshots `action` exported."""
    exported = []

    def count(conn, cursor, statement, *args) -> None:
        if "pg_export_snapshot" in statement:
            exported.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(exported)


def test_the_parts_of_a_concurrent_answer_share_one_snapshot(world, db):
    # the overview reads its series, both ranges' reports and their early figures
    assert _exports_of(db, lambda: overview(JAN1, JAN10, AS_OF, concurrent=True)) == 1
    db.session.commit()  # a new transaction exports a snapshot of its own
    assert _exports_of(db, lambda: roi_report(RoiRequest(JAN1, JAN10), AS_OF, True)) == 1


def test_a_new_transaction_reads_what_committed_before_it_in_a_new_snapshot(world, db):
    before = roi_report(RoiRequest(JAN1, JAN10), AS_OF, concurrent=True)
    db.session.commit()
    with db.engine.begin() as other:  # a customer acquired in the range commits meanwhile
        other.execute(
            text(
                "INSERT INTO customers (external_id, acquired_at, acquisition_date, platform, "
                "country) VALUES ('late', '2024-01-06 12:00+00', '2024-01-06', 'meta', 'US')"
            )
        )
    after = roi_report(RoiRequest(JAN1, JAN10), AS_OF, concurrent=True)
    assert after["totals"]["customers"] == before["totals"]["customers"] + 1
