"""schema.org JSON-LD for a programme page, so search engines understand what it offers."""

import json

from django.utils.safestring import mark_safe


def programme_json_ld(request, programme) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": programme.title,
        "alternateName": programme.short_name or None,
        "description": programme.summary,
        "url": request.build_absolute_uri(programme.get_absolute_url()),
        "serviceType": programme.get_kind_display(),
        "dateModified": programme.updated.isoformat(),
        "inLanguage": "de",
    }
    if programme.funding_body:
        data["provider"] = {
            "@type": "GovernmentOrganization",
            "name": programme.funding_body.name,
            "url": programme.funding_body.url or None,
        }
    if programme.region:
        data["areaServed"] = {"@type": "AdministrativeArea", "name": programme.region.name}
    if programme.website:
        data["sameAs"] = programme.website
    audience = [group["name"] for group in programme.target_group_list]
    if audience:
        data["audience"] = [{"@type": "Audience", "audienceType": name} for name in audience]
    cleaned = {key: value for key, value in data.items() if value is not None}
    text = json.dumps(cleaned, ensure_ascii=False)
    # Inside <script>, "</" or "<!--" in editor text must not end the element.
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
