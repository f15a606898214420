"""Bad parameters answer 400 with a JSON body that names each parameter, everywhere in open
data: the API, exports, feeds and calendars. The messages are the HTML list's own."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from core.listing import ParameterError

DETAIL = _("Die Anfrage enthält ungültige Parameter.")


def error_body(errors: list[ParameterError]) -> dict:
    return {
        "detail": str(DETAIL),
        "errors": [
            {
                "parameter": error.parameter,
                "label": error.label,
                "message": str(error.message),
                # What was meant instead: the candidates of an ambiguous name, close names.
                "choices": [{"label": c.label, "value": c.value} for c in error.choices],
            }
            for error in errors
        ],
    }


def bad_parameters_response(errors: list[ParameterError]) -> JsonResponse:
    return JsonResponse(error_body(errors), status=400, json_dumps_params={"ensure_ascii": False})


class InvalidParameters(APIException):
    """The API's form of the same answer (DRF renders `detail` as the body)."""

    status_code = 400
    default_code = "invalid_parameters"

    def __init__(self, errors: list[ParameterError]):
        super().__init__(error_body(errors))
