"""Ingest: readers (xlsx, CSV in UTF-8/GB18030, JSON/NDJSON, Parquet), validation with
located zh/en problems, the inbox that keeps every received file, atomic commits to the lake,
and the reporting calendar (deadlines, open/closed periods, submission status, 催报)."""

from zhiguo.datacenter.ingest.batches import find_batch, list_batches
from zhiguo.datacenter.ingest.calendar import (
    SubmissionState,
    close_period,
    default_deadline,
    period_deadline,
    period_state,
    reopen_period,
    set_deadline,
    submission_states,
)
from zhiguo.datacenter.ingest.errors import RULES, problem
from zhiguo.datacenter.ingest.facts import RAW_SCHEMA, raw_table
from zhiguo.datacenter.ingest.models import IngestBatch, ReportingPeriod, Submission
from zhiguo.datacenter.ingest.report_xlsx import write_validation_report
from zhiguo.datacenter.ingest.service import (
    IngestResult,
    commit_facts,
    entities_table,
    ingest_file,
    previous_reader,
    read_submission,
)
from zhiguo.datacenter.ingest.validate import Validated, ValidationContext, validate_facts
from zhiguo.datacenter.ingest.xlsx_guard import check_xlsx, refuse_unsafe_xlsx
from zhiguo.datacenter.ingest.xlsx_reader import read_flash_report_xlsx

__all__ = [
    "RAW_SCHEMA",
    "RULES",
    "IngestBatch",
    "IngestResult",
    "ReportingPeriod",
    "Submission",
    "SubmissionState",
    "Validated",
    "ValidationContext",
    "check_xlsx",
    "close_period",
    "commit_facts",
    "default_deadline",
    "entities_table",
    "find_batch",
    "ingest_file",
    "list_batches",
    "period_deadline",
    "period_state",
    "previous_reader",
    "problem",
    "raw_table",
    "read_flash_report_xlsx",
    "read_submission",
    "refuse_unsafe_xlsx",
    "reopen_period",
    "set_deadline",
    "submission_states",
    "validate_facts",
    "write_validation_report",
]
