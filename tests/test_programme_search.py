"""German full-text search: stemming, prefixes, ranking, websearch syntax, hostile input."""

import pytest

from programmes.models import Programme
from programmes.search import plan_search
from tests.factories import make_programme, make_topic


def found(text):
    return [p.title for p in Programme.objects.published().search(text).order_by("-rank", "title")]


@pytest.mark.django_db
class TestGermanSearch:
    def test_inflected_forms_find_the_base_word(self):
        make_programme(
            "Sanierung kommunaler Schwimmbäder", summary="Hilfe für das Schwimmbad im Ort."
        )
        make_programme("Bürgerhaus im Quartier", summary="Ein Bürgerhaus für alle.")
        make_programme("Radwege", summary="Sichere Wege.")
        assert found("Schwimmbädern") == ["Sanierung kommunaler Schwimmbäder"]
        assert found("Bürgerhäuser") == ["Bürgerhaus im Quartier"]

    def test_the_last_word_matches_as_a_prefix(self):
        make_programme("Digitalisierung der Verwaltung")
        make_programme("Dorfentwicklung")
        assert found("Digitali") == ["Digitalisierung der Verwaltung"]
        assert found("Verwaltung Digit") == ["Digitalisierung der Verwaltung"]

    def test_earlier_words_must_match_whole(self):
        make_programme("Digitalisierung der Verwaltung")
        make_programme("Digitale Dörfer")
        # "Digi" is no word: all words together find nothing, so what matches some of them
        # is shown, and the plan says so.
        assert found("Digi Verwaltung") == ["Digitalisierung der Verwaltung"]
        assert plan_search("Digi Verwaltung").partial

    def test_title_outranks_summary_outranks_description(self):
        make_programme("Quartiersarbeit", summary="Nachbarschaft stärken.", description="")
        make_programme("Nachbarschaft", summary="Gemeinsam im Viertel.", description="")
        make_programme("Stadtteilfonds", summary="Geld für Nachbarschaft.", description="")
        make_programme(
            "Vereinsförderung", summary="Für Vereine.", description="Auch Nachbarschaft zählt."
        )
        ranked = found("Nachbarschaft")
        assert ranked[0] == "Nachbarschaft"  # weight A: the title
        assert set(ranked[1:3]) == {"Quartiersarbeit", "Stadtteilfonds"}  # weight B: summary
        assert ranked[3] == "Vereinsförderung"  # weight C: description

    def test_topic_names_are_searchable(self):
        climate = make_topic("Klimaanpassung")
        make_programme("Grüne Höfe", topics=[climate])
        make_programme("Ohne Thema")
        assert found("Klimaanpassung") == ["Grüne Höfe"]

    def test_topic_rename_updates_the_search(self):
        topic = make_topic("Mobilität")
        make_programme("Busse auf dem Land", topics=[topic])
        topic.name = "Verkehrswende"
        topic.save()
        assert found("Verkehrswende") == ["Busse auf dem Land"]
        assert found("Mobilität") == []

    def test_websearch_phrase_exclusion_and_or(self):
        make_programme("Soziale Stadt", summary="Programm der Städtebauförderung.")
        make_programme("Stadt und Soziales", summary="Programm für Vereine.")
        make_programme("Ländlicher Raum", summary="Dörfer stärken.")
        assert found('"soziale stadt"') == ["Soziale Stadt"]
        assert found("Stadt -Städtebauförderung") == ["Stadt und Soziales"]
        assert sorted(found("Dörfer or Vereine")) == ["Ländlicher Raum", "Stadt und Soziales"]

    @pytest.mark.parametrize(
        "hostile",
        [
            "'); DROP TABLE programmes_programme; --",
            "&|!:*()<>",
            "a:* & !",
            '"unbalanced',
            "-",
            "or",
            "::",
            "Ä ö ü ß 🚀",
            "\\",
            "%_%",
            "' OR 1=1 --",
        ],
    )
    def test_any_input_is_accepted(self, hostile):
        make_programme("Stadtentwicklung")
        assert isinstance(found(hostile), list)
        assert Programme.objects.count() == 1

    def test_search_ranks_against_the_stored_vector(self):
        sql = str(Programme.objects.search("Stadt").query)
        assert "to_tsvector" not in sql  # the stored column, never re-parsed text
