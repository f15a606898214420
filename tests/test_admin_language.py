"""The admin in the editors' language: no technical app or model names, login-lock and second
factor named plainly for administrators and out of the editors' sight, dates as TT.MM.JJJJ."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.admin_builders import make_editor
from tests.factories import make_programme

pytestmark = pytest.mark.django_db
TECHNICAL = ["AXES", "Axes", "OTP_TOTP", "TOTP device", "Otp_Totp", "procrastinate job"]


def index_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("admin:index")).content.decode()


def test_administrators_see_login_lock_and_second_factor_named_plainly():
    admin = User.objects.create_superuser("admin", password="ein-langes-Testpasswort")
    page = index_for(admin)
    for plain in ["Anmeldesperren", "Fehlversuche beim Anmelden", "Zweiter Faktor beim Anmelden"]:
        assert plain in page
    assert "Authenticator-Apps" in page
    assert not [word for word in TECHNICAL if word in page]


def test_editors_do_not_see_login_lock_or_second_factor():
    page = index_for(make_editor())
    assert "Anmeldesperren" not in page and "Zweiter Faktor" not in page
    assert "/admin/axes/" not in page and "/admin/otp_totp/" not in page


def test_dates_read_tt_mm_jjjj_in_lists_and_inline_rows():
    programme = make_programme(
        "Datumsprobe", facts_checked_on=date(2025, 3, 4), windows=[(date(2025, 1, 2), None)]
    )
    client = Client()
    client.force_login(make_editor())
    listing = client.get(reverse("admin:programmes_applicationwindow_changelist"))
    assert "02.01.2025" in listing.content.decode()
    page = client.get(reverse("admin:programmes_programme_change", args=[programme.pk]))
    content = page.content.decode()
    assert "02.01.2025 – …" in content  # the inline row's name
    assert "2025-01-02 –" not in content
