"""The security headers Django's SecurityMiddleware does not set. The Content-Security-Policy
comes from django-csp (CONTENT_SECURITY_POLICY in settings)."""

# Powerful browser features the portal never uses; an injected frame or script cannot ask.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    ]
)


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response.

    Open data that other sites may fetch (it carries ``Access-Control-Allow-Origin: *``) is
    marked ``cross-origin``; everything else ``same-origin``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        public = response.headers.get("Access-Control-Allow-Origin") == "*"
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", "cross-origin" if public else "same-origin"
        )
        return response
