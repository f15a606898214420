"""The API's representations: stable English field names, ISO dates, absolute links.

Every resource carries `url` (itself in the API) and, where the portal has a page for it,
`html_url`. Related entries appear as small references with their own `url`. Drafts never
appear: references to programmes are only made to published ones.

One module per kind of resource; the names are re-exported here for `opendata.api`.
"""

from opendata.serializers.errors import ErrorSerializer, NotFoundSerializer
from opendata.serializers.municipalities import (
    MunicipalityDetailSerializer,
    MunicipalitySerializer,
)
from opendata.serializers.principles import FrameworkSerializer, PrincipleSerializer
from opendata.serializers.programmes import ProgrammeDetailSerializer, ProgrammeSerializer
from opendata.serializers.vocabulary import (
    FunderSerializer,
    TargetGroupSerializer,
    TopicSerializer,
)

__all__ = [
    "ErrorSerializer",
    "FrameworkSerializer",
    "FunderSerializer",
    "MunicipalityDetailSerializer",
    "MunicipalitySerializer",
    "NotFoundSerializer",
    "PrincipleSerializer",
    "ProgrammeDetailSerializer",
    "ProgrammeSerializer",
    "TargetGroupSerializer",
    "TopicSerializer",
]
