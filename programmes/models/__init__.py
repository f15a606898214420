from programmes.models.base import Level
from programmes.models.principles import Framework, Goal, GuidingPrinciple, Measure, PrincipleArea
from programmes.models.programme import ApplicationWindow, Link, Participation, Programme
from programmes.models.search_terms import SynonymGroup
from programmes.models.sources import Source
from programmes.models.taxonomy import FundingBody, FundingType, TargetGroup, Topic
from programmes.models.workflow import PublicationStep

__all__ = [
    "ApplicationWindow",
    "Framework",
    "FundingBody",
    "FundingType",
    "Goal",
    "GuidingPrinciple",
    "Level",
    "Link",
    "Measure",
    "Participation",
    "PrincipleArea",
    "Programme",
    "PublicationStep",
    "Source",
    "SynonymGroup",
    "TargetGroup",
    "Topic",
]
