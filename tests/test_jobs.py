"""The job runner: procrastinate's queue lives in the project's database, and a worker started
the way `manage.py procrastinate worker` starts it runs what was deferred."""

import pytest
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

ran = []


@app.task(name="tests.record", queue="tests")
def record(value: str) -> None:
    ran.append(value)


@pytest.mark.django_db(transaction=True)
def test_a_deferred_job_waits_in_postgresql_until_a_worker_runs_it():
    ran.clear()
    record.defer(value="eins")
    assert ProcrastinateJob.objects.get(task_name="tests.record").status == "todo"
    assert ran == []

    # The command's worker connects with a psycopg connection built from Django's settings.
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["tests"], wait=False, install_signal_handlers=False)

    assert ran == ["eins"]
    assert ProcrastinateJob.objects.get(task_name="tests.record").status == "succeeded"
