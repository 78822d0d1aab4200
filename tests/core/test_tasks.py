"""The task state every long job takes: the sentence a cancel ends with, and parts of a job that
share its cancel but not its progress bar."""

import pytest

from studio.core.errors import Cancelled
from studio.core.tasks import TaskState


def test_a_cancelled_job_ends_with_its_own_sentence():
    task = TaskState()
    task.check("The export", "no files were kept")  # not cancelled: nothing happens
    task.cancel()
    with pytest.raises(Cancelled, match=r"^Loading the dataset was cancelled\.$"):
        task.check("Loading the dataset")
    with pytest.raises(Cancelled, match=r"^The export was cancelled; no files were kept\.$"):
        task.check("The export", "no files were kept")


def test_a_subtask_reports_to_its_own_sink_and_stops_with_its_job():
    job_reports, part_reports = [], []
    job = TaskState(lambda done, total: job_reports.append((done, total)))
    part = job.subtask(lambda done, total: part_reports.append((done, total)))
    quiet_part = job.subtask()
    part.progress(40, 40)
    quiet_part.progress(3, 3)
    job.progress(1, 6)
    assert part_reports == [(40, 40)] and job_reports == [(1, 6)]
    job.cancel()
    assert part.cancelled and quiet_part.cancelled
    with pytest.raises(Cancelled, match=r"^Building the report was cancelled\.$"):
        quiet_part.check("Building the report")
