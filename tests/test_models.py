"""Database constraints and the municipality hierarchy."""

from datetime import date

import pytest
from django.db import DataError, IntegrityError, transaction

from municipalities.models import Municipality
from programmes.models import ApplicationWindow, Participation, Programme
from tests.factories import add_participation, make_municipality, make_nrw_chain, make_programme


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except (IntegrityError, DataError):
        return True
    return False


@pytest.mark.django_db
class TestConstraints:
    def test_programme_cannot_end_before_it_starts(self):
        assert refused(
            lambda: make_programme(start_date=date(2020, 1, 2), end_date=date(2020, 1, 1))
        )
        assert not refused(
            lambda: make_programme(start_date=date(2020, 1, 1), end_date=date(2020, 1, 1))
        )

    def test_application_window_cannot_close_before_it_opens(self):
        programme = make_programme()
        assert refused(
            lambda: ApplicationWindow.objects.create(
                programme=programme, opens=date(2026, 5, 2), closes=date(2026, 5, 1)
            )
        )

    def test_slugs_are_unique(self):
        make_programme("Eins", slug="gleich")
        assert refused(lambda: make_programme("Zwei", slug="gleich"))

    def test_funding_rate_is_a_percentage(self):
        assert refused(lambda: make_programme(funding_rate=120))

    def test_official_key_must_have_2_3_5_or_8_digits(self):
        for bad in ("5", "0512", "051240", "0512400X", "051240001"):
            assert refused(
                lambda bad=bad: Municipality.objects.create(
                    name=f"Falsch {bad}", slug=f"falsch-{bad.lower()}", key=bad, kind="gemeinde"
                )
            )
        make_municipality("Richtig", "05124000")

    def test_official_keys_are_unique(self):
        make_municipality("Wuppertal", "05124000")
        assert refused(lambda: make_municipality("Doppelt", "05124000"))

    def test_a_municipality_takes_a_role_in_a_round_only_once(self):
        chain = make_nrw_chain()
        programme = make_programme()
        add_participation(programme, chain["iserlohn"], "partner", "2024")
        assert refused(lambda: add_participation(programme, chain["iserlohn"], "partner", "2024"))
        add_participation(programme, chain["iserlohn"], "partner", "2025")
        assert Participation.objects.count() == 2


@pytest.mark.django_db
class TestHierarchy:
    def test_ancestors_run_from_land_to_kreis(self):
        chain = make_nrw_chain()
        names = [m.name for m in chain["iserlohn"].ancestors()]
        assert names == ["Nordrhein-Westfalen", "Regierungsbezirk Arnsberg", "Märkischer Kreis"]

    def test_a_kreisfreie_stadt_sits_directly_below_its_regierungsbezirk(self):
        chain = make_nrw_chain()
        keys = [m.key for m in chain["wuppertal"].ancestors()]
        assert keys == ["05", "051"]

    def test_within_a_region_holds_everything_below_but_not_the_region(self):
        chain = make_nrw_chain()
        assert set(Municipality.objects.within(chain["arnsberg"])) == {
            chain["mk"],
            chain["iserlohn"],
        }
        assert chain["wuppertal"] not in Municipality.objects.within(chain["arnsberg"])
        assert Municipality.objects.within(chain["nrw"]).count() == 5

    def test_parent_must_contain_the_key(self):
        from django.core.exceptions import ValidationError

        chain = make_nrw_chain()
        stray = Municipality(
            name="Irrläufer", slug="irrlaeufer", key="05124000", kind="stadt", parent=chain["mk"]
        )
        with pytest.raises(ValidationError) as error:
            stray.clean()
        assert "parent" in error.value.message_dict


@pytest.mark.django_db
def test_drafts_and_archived_entries_never_appear_in_public_querysets():
    visible = make_programme("Sichtbar")
    make_programme("Entwurf", publication=Programme.Publication.DRAFT)
    make_programme("Archiv", publication=Programme.Publication.ARCHIVED)
    assert list(Programme.objects.published()) == [visible]
