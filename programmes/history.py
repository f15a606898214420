"""Which catalogue entries keep a history, and what a version of each holds (core.history).

A programme's version holds its windows, links, participations and sources and its choices of
topics, target groups, funding types and principles; restoring it brings all of that back. A
Leitbild holds its areas and sources, a Leitsatz its goals, measures and sources. The workflow's
log of steps (PublicationStep) is a record of its own and is never rolled back, and a restore
leaves a programme's publication state and schedule alone: only the workflow moves them.
"""

from core.history import track
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    FundingType,
    Goal,
    GuidingPrinciple,
    Link,
    Measure,
    Participation,
    PrincipleArea,
    Programme,
    Source,
    SynonymGroup,
    TargetGroup,
    Topic,
)


def track_catalogue() -> None:
    track(
        Programme,
        follow=["application_windows", "links", "participations", "sources"],
        kept=["publication", "publish_at", "withdraw_at"],  # moved by programmes.workflow only
    )
    track(Framework, follow=["areas", "sources"])
    track(GuidingPrinciple, follow=["goals", "measures", "sources"])
    for model in [ApplicationWindow, Link, Participation]:
        track(model, part_of="programme")
    track(Source, part_of="subject")
    track(PrincipleArea, part_of="framework")
    for model in [Goal, Measure]:
        track(model, part_of="principle")
    for model in [Topic, TargetGroup, FundingType, FundingBody, SynonymGroup]:
        track(model)
