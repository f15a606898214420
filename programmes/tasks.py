"""Background work of the programmes app, run by procrastinate's worker."""

from procrastinate.contrib.django import app

from programmes.link_status import check_catalogue_links
from programmes.workflow import carry_out_schedule


@app.periodic(cron="* * * * *")
@app.task(queueing_lock="publish_scheduled", pass_context=False)
def publish_scheduled(timestamp: int) -> None:
    """Every minute: publish and withdraw what is due, so pages flip on time."""
    carry_out_schedule()


@app.periodic(cron="17 3 * * 1")
@app.task(queueing_lock="check_links", pass_context=False)
def check_links(timestamp: int) -> None:
    """Mondays at 03:17: check every address of the catalogue (manage.py check_links)."""
    check_catalogue_links()
