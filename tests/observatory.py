"""The scoring of Mozilla's HTTP Observatory (mdn/mdn-http-observatory, algorithm of 2024/25),
ported for the response headers of Django's test client.

Every scan starts at 100. Each of the ten tests adds its modifier; bonuses count only when the
score without them is at least 90. 100 or more is an A+.

The rules follow the Observatory's analyzers (src/analyzer/tests/*.js) and score table
(src/grader/charts.js); the HSTS preload list is not consulted (the portal is not preloaded).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15_552_000  # the Observatory's "white lie" for six months

MODIFIERS = {
    # Content Security Policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    # Cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # Cross-origin resource sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # Redirection
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    # Referrer-Policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # Strict-Transport-Security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    # Subresource integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    # X-Content-Type-Options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # X-Frame-Options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # Cross-Origin-Resource-Policy
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-header-invalid": -5,
}

DANGEROUSLY_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*"}
DANGEROUSLY_BROAD |= {"https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass
class Scan:
    """What the Observatory fetches: the HTTPS page ("auto"), the HTTP redirect chain, and the
    page once more with an Origin header (CORS)."""

    url: str
    headers: dict[str, str]  # of the final HTTPS response, lower-case names
    body: str
    set_cookies: list[dict] = field(default_factory=list)  # name, secure, httponly, samesite
    http_route: list[str] = field(default_factory=list)  # URLs from http:// to the end
    cors_headers: dict[str, str] = field(default_factory=dict)
    cors_origin: str = "https://http-observatory.security.mozilla.org"


@dataclass
class Result:
    score: int
    grade: str
    tests: dict[str, str]

    def __str__(self):
        lines = [f"{self.score} ({self.grade})"]
        lines += [
            f"  {name}: {result} ({MODIFIERS[result]:+d})" for name, result in self.tests.items()
        ]
        return "\n".join(lines)


# Content Security Policy -----------------------------------------------------------------------


def parse_csp(header: str) -> dict[str, set[str]]:
    policy: dict[str, set[str]] = {}
    for part in header.split(","):
        for directive in part.split(";"):
            tokens = directive.strip().split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if name not in policy:  # a repeated directive is ignored, as browsers do
                policy[name] = {token.lower() for token in tokens[1:]}
    return policy


def csp_test(scan: Scan) -> str:
    header = scan.headers.get("content-security-policy")
    if not header:
        return "csp-not-implemented"
    csp = parse_csp(header)
    default = csp.get("default-src")
    script_src = set(csp.get("script-src") or default or {"*"})
    style_src = set(csp.get("style-src") or default or {"*"})
    object_src = csp.get("object-src") or default or {"*"}
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    passive = set().union(*(csp.get(d) or default or set() for d in ("img-src", "media-src")))
    active = {
        source
        for name, sources in csp.items()
        if name not in ("img-src", "media-src", "script-src")
        for source in sources
    } | script_src
    https = scan.url.startswith("https:")
    if script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline"
    if https and any(s.startswith(("http:", "ftp:")) for s in active):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval"
    if https and any(s.startswith(("http:", "ftp:")) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


# The other tests -------------------------------------------------------------------------------


def hsts_test(scan: Scan) -> str:
    if not scan.url.startswith("https:"):
        return "hsts-not-implemented-no-https"
    header = scan.headers.get("strict-transport-security")
    if not header:
        return "hsts-not-implemented"
    if "," in header:
        return "hsts-header-invalid"
    max_age = None
    for parameter in header.lower().split(";"):
        parameter = parameter.strip()
        if parameter.startswith("max-age="):
            try:
                max_age = int(parameter[8:128])
            except ValueError:
                return "hsts-header-invalid"
    if max_age is None:
        return "hsts-header-invalid"
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


ORDER_OF_BADNESS = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def cookies_test(scan: Scan) -> str:
    if not scan.set_cookies:
        return "cookies-not-found"
    hsts = hsts_test(scan) == "hsts-implemented-max-age-at-least-six-months"
    worst = None

    def worse(candidate):
        nonlocal worst
        if worst is None or ORDER_OF_BADNESS.index(candidate) > ORDER_OF_BADNESS.index(worst):
            worst = candidate

    missing_samesite = False
    for cookie in scan.set_cookies:
        name = cookie["name"].lower()
        session = "login" in name or "sess" in name
        samesite = (cookie.get("samesite") or "").lower()
        if samesite and samesite not in ("lax", "strict", "none"):
            worse("cookies-samesite-flag-invalid")
        if not cookie["secure"] and samesite == "none":
            worse("cookies-samesite-flag-invalid")
        if not cookie["secure"]:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
        if "csrf" in name and not samesite:
            worse("cookies-anticsrf-without-samesite-flag")
        if session and not cookie["secure"]:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag"
            )
        if session and not cookie["httponly"]:
            worse("cookies-session-without-httponly-flag")
        missing_samesite |= not samesite
    if worst:
        return worst
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


def cors_test(scan: Scan) -> str:
    acao = scan.cors_headers.get("access-control-allow-origin")
    if not acao:
        return "cross-origin-resource-sharing-not-implemented"
    acao = acao[:256].strip().lower()
    if acao == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = scan.cors_headers.get("access-control-allow-credentials", "").strip().lower()
    if acao == scan.cors_origin.lower() and credentials == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_test(scan: Scan) -> str:
    route = scan.http_route
    if not route:
        return "redirection-not-needed-no-http"
    if len(route) == 1:
        return "redirection-missing"
    if not route[-1].startswith("https:"):
        return "redirection-not-to-https"
    if route[1].startswith("http:"):
        return "redirection-not-to-https-on-initial-redirection"
    if urlsplit(route[0]).hostname != urlsplit(route[1]).hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_policy_test(scan: Scan) -> str:
    good = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
    bad = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]
    header = scan.headers.get("referrer-policy")
    if not header:
        return "referrer-policy-not-implemented"
    valid = [v.strip().lower() for v in header.split(",") if v.strip().lower() in good + bad]
    policy = valid[-1] if valid else ""
    if policy in good:
        return "referrer-policy-private"
    if policy in bad:
        return "referrer-policy-unsafe"
    return "referrer-policy-header-invalid"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_test(scan: Scan) -> str:
    if "html" not in scan.headers.get("content-type", ""):
        return "sri-not-implemented-response-not-html"
    parser = _Scripts()
    parser.feed(scan.body)
    external = [s for s in parser.scripts if s.get("src")]
    if not external:
        return "sri-not-implemented-but-no-scripts-loaded"
    host = urlsplit(scan.url).hostname
    all_similar = all_secure = True
    any_integrity = False
    for script in external:
        src = urlsplit(script["src"])
        similar = not src.netloc or src.hostname == host
        secure = src.scheme == "https" or (not src.scheme and not script["src"].startswith("//"))
        all_similar &= similar
        all_secure &= secure
        any_integrity |= "integrity" in script
    if all_similar:
        return (
            "sri-implemented-and-all-scripts-loaded-securely"
            if any_integrity
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
        )
    if any_integrity:
        return (
            "sri-implemented-and-external-scripts-loaded-securely"
            if all_secure
            else "sri-implemented-but-external-scripts-not-loaded-securely"
        )
    return (
        "sri-not-implemented-but-external-scripts-loaded-securely"
        if all_secure
        else "sri-not-implemented-and-external-scripts-not-loaded-securely"
    )


def x_content_type_options_test(scan: Scan) -> str:
    header = scan.headers.get("x-content-type-options")
    if not header:
        return "x-content-type-options-not-implemented"
    if header.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


def x_frame_options_test(scan: Scan) -> str:
    header = scan.headers.get("content-security-policy")
    if header and "frame-ancestors" in parse_csp(header):
        return "x-frame-options-implemented-via-csp"
    xfo = scan.headers.get("x-frame-options", "").strip().lower()
    if not xfo:
        return "x-frame-options-not-implemented"
    if xfo in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    if xfo.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def corp_test(scan: Scan) -> str:
    header = scan.headers.get("cross-origin-resource-policy", "")[:256].strip().lower()
    if not header:
        return "cross-origin-resource-policy-not-implemented"
    return {
        "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
        "same-site": "cross-origin-resource-policy-implemented-with-same-site",
        "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
    }.get(header, "cross-origin-resource-policy-header-invalid")


TESTS = {
    "content-security-policy": csp_test,
    "cookies": cookies_test,
    "cross-origin-resource-sharing": cors_test,
    "redirection": redirection_test,
    "referrer-policy": referrer_policy_test,
    "strict-transport-security": hsts_test,
    "subresource-integrity": sri_test,
    "x-content-type-options": x_content_type_options_test,
    "x-frame-options": x_frame_options_test,
    "cross-origin-resource-policy": corp_test,
}


def grade(score: int) -> str:
    chart = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-")]
    chart += [(60, "C+"), (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F")]
    return next(letter for floor, letter in chart if score >= floor)


def score(scan: Scan) -> Result:
    results = {name: test(scan) for name, test in TESTS.items()}
    with_bonus = 100 + sum(MODIFIERS[r] for r in results.values())
    without_bonus = 100 + sum(min(MODIFIERS[r], 0) for r in results.values())
    total = with_bonus if without_bonus >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else without_bonus
    total = max(total, 0)
    return Result(total, grade(total), results)
