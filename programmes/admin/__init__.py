"""The editors' workspace: every catalogue entry can be found, filtered and edited here.

Labels come from the models' German verbose names. Database constraints stay the authority;
the forms repeat the date and self-reference rules only to put a plain German message next to
the field it concerns (programmes.admin.forms). The admin's change view runs in one transaction,
so a refused inline never leaves a half-saved programme behind.

Django's autodiscovery imports this package; importing the modules below registers the admins.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.admin import (
    link_checks,
    parts,
    principles,
    programme,
    search_terms,
    sources,
    vocabulary,
)
from programmes.admin.forms import ProgrammeForm

__all__ = [
    "ProgrammeForm",
    "link_checks",
    "parts",
    "principles",
    "programme",
    "search_terms",
    "sources",
    "vocabulary",
]

admin.site.site_header = "Kommunalkompass NRW – Redaktion"
admin.site.site_title = "Kommunalkompass NRW"
admin.site.index_title = _("Katalog pflegen")
admin.site.index_template = "admin/desk_index.html"  # the desk (programmes.admin.desk) on top
# The breadcrumbs and the start page lead everywhere; without the navigation sidebar the lists
# have the room they need at 1280 px (tests/test_editorial_browser.py).
admin.site.enable_nav_sidebar = False
