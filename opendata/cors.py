"""CORS for read-only open data: any origin may GET, with no credentials.

Only simple GET/HEAD requests are served, so browsers send no preflight; OPTIONS is answered
anyway for clients that ask."""

from functools import wraps

from django.http import HttpResponse

ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def allow_cors(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Max-Age"] = "86400"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped
