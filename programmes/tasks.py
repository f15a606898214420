"""Background work of the programmes app, run by procrastinate's worker."""

from procrastinate.contrib.django import app

from programmes.workflow import carry_out_schedule


@app.periodic(cron="* * * * *")
@app.task(queueing_lock="publish_scheduled", pass_context=False)
def publish_scheduled(timestamp: int) -> None:
    """Every minute: publish and withdraw what is due, so pages flip on time."""
    carry_out_schedule()
