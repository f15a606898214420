from datetime import date, timedelta

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.db import choice_label
from core.german import sort_key_expression
from programmes.models.base import Level, Timestamped
from programmes.querysets import ProgrammeQuerySet

# Facts checked longer ago than this are flagged on the programme's page.
FACTS_FRESH_DAYS = 365


class Programme(Timestamped):
    class Kind(models.TextChoices):
        FOERDERPROGRAMM = "foerderprogramm", _("Förderprogramm")
        QUALIFIZIERUNG = "qualifizierung", _("Qualifizierung")
        FORSCHUNG = "forschungsfoerderung", _("Forschungsförderung")
        MODELLVORHABEN = "modellvorhaben", _("Modellvorhaben")
        NETZWERK = "netzwerk", _("Netzwerk")
        WETTBEWERB = "wettbewerb", _("Wettbewerb")
        SERVICE = "service", _("Service")

    class Publication(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        REVIEW = "review", _("zur Prüfung")
        PUBLISHED = "published", _("veröffentlicht")  # the only public state
        ARCHIVED = "archived", _("archiviert")

    title = models.CharField(_("Titel"), max_length=250)
    short_name = models.CharField(_("Kurzname"), max_length=80, blank=True)
    slug = models.SlugField(_("Kurzadresse"), max_length=150, unique=True)
    former_slugs = ArrayField(
        models.SlugField(max_length=150),
        verbose_name=_("frühere Kurzadressen"),
        default=list,
        db_default=[],  # also for rows written by COPY or raw SQL
        blank=True,
        help_text=_("Alte Adressen leiten dauerhaft (301) auf die neue um."),
    )
    summary = models.CharField(
        _("Kurzbeschreibung"),
        max_length=300,
        help_text=_("In einfacher Sprache, höchstens 300 Zeichen."),
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    funding_types = models.ManyToManyField(
        "programmes.FundingType",
        verbose_name=_("Förderarten"),
        blank=True,
        related_name="programmes",
    )
    funding_body = models.ForeignKey(
        "programmes.FundingBody",
        verbose_name=_("Fördergeber"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    level = models.CharField(_("Ebene"), max_length=20, choices=Level.choices)
    topics = models.ManyToManyField(
        "programmes.Topic", verbose_name=_("Themen"), blank=True, related_name="programmes"
    )
    target_groups = models.ManyToManyField(
        "programmes.TargetGroup",
        verbose_name=_("Zielgruppen"),
        blank=True,
        related_name="programmes",
    )
    region = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("Gebiet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes_open_here",
        help_text=_("Für wen das Programm offensteht, z. B. Land Nordrhein-Westfalen."),
    )
    total_budget = models.DecimalField(
        _("Gesamtvolumen (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_grant = models.DecimalField(
        _("Höchstförderung (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funding_rate = models.DecimalField(
        _("Förderquote (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount_note = models.TextField(_("Hinweis zu Beträgen"), blank=True)
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)
    is_announced = models.BooleanField(
        _("nur angekündigt"),
        default=False,
        help_text=_("Angekündigt, aber noch ohne Start: gilt als „angekündigt“, nicht „laufend“."),
    )
    website = models.URLField(_("offizielle Seite"), max_length=500, blank=True)
    contact = models.TextField(_("Kontakt"), blank=True)
    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Teil von"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("Vorgänger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    principles = models.ManyToManyField(
        "programmes.GuidingPrinciple",
        verbose_name=_("Leitsätze"),
        blank=True,
        related_name="programmes",
    )
    publication = models.CharField(
        _("Veröffentlichung"),
        max_length=12,
        choices=Publication.choices,
        default=Publication.DRAFT,
        db_index=True,
    )
    # Carried out by programmes.workflow.carry_out_schedule (job and command publish_scheduled).
    publish_at = models.DateTimeField(
        _("veröffentlichen am"),
        null=True,
        blank=True,
        help_text=_("Wird zu diesem Zeitpunkt veröffentlicht, wenn die Angaben vollständig sind."),
    )
    withdraw_at = models.DateTimeField(
        _("zurückziehen am"),
        null=True,
        blank=True,
        help_text=_("Verschwindet zu diesem Zeitpunkt von der Website (wird wieder Entwurf)."),
    )
    facts_checked_on = models.DateField(
        _("Angaben geprüft am"),
        null=True,
        blank=True,
        help_text=_(
            "Wann die Angaben zuletzt mit den Quellen verglichen wurden – unabhängig davon, wann "
            "der Eintrag zuletzt geändert wurde."
        ),
    )
    is_synthetic = models.BooleanField(
        _("synthetisch"),
        default=False,
        editable=False,
        help_text=_("Vom Lastgenerator erzeugt; mit einem Befehl wieder entfernbar."),
    )
    # Names of its topics and of its funder (also former names), kept in step by
    # programmes.signals, so the generated search vector can weigh them without a join.
    related_terms = models.TextField(editable=False, blank=True, default="")
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("title", config="german", weight="A")
            + SearchVector("short_name", "summary", config="german", weight="B")
            + SearchVector("description", "related_terms", config="german", weight="C")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # What a match is ranked by: all but the description, small enough to be read without
    # decompression (the full vector of tens of thousands of matches is not).
    rank_vector = models.GeneratedField(
        expression=(
            SearchVector("title", config="german", weight="A")
            + SearchVector("short_name", "summary", config="german", weight="B")
            + SearchVector("related_terms", config="german", weight="C")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    sort_title = models.GeneratedField(
        expression=sort_key_expression("title"),
        output_field=models.CharField(max_length=250),
        db_persist=True,
    )
    sources = GenericRelation("programmes.Source")

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Programm")
        verbose_name_plural = _("Programme")
        ordering = ["sort_title"]
        permissions = [
            ("publish_programme", _("Programme veröffentlichen, zurückziehen und archivieren"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdraw_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(withdraw_at__gt=models.F("publish_at")),
                name="programme_withdraw_after_publish",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="programme_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(funding_rate__isnull=True)
                | Q(funding_rate__gte=0, funding_rate__lte=100),
                name="programme_funding_rate_percent",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="programme_not_own_parent"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="programme_search"),
            # The list's order, covering what the list filters by without a status parameter:
            # a deep page is skipped to in the index alone (an index-only scan).
            models.Index(
                fields=["publication", "sort_title", "id"],
                include=["end_date"],
                name="programme_pub_title_id",
            ),
            models.Index(fields=["publication", "-updated"], name="programme_pub_updated"),
            models.Index(fields=["publication", "-created"], name="programme_pub_created"),
            GinIndex(fields=["former_slugs"], name="programme_former_slugs"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("programmes:programme-detail", kwargs={"slug": self.slug})

    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def get_level_display(self) -> str:
        return choice_label(Level, self.level)

    @property
    def is_public(self) -> bool:
        return self.publication == self.Publication.PUBLISHED

    @property
    def distinct_short_name(self) -> str:
        """The short name where it adds something: not when the title already contains it."""
        return "" if self.short_name in self.title else self.short_name

    def facts_stale(self, today: date) -> bool:
        """Not compared with its sources within the last twelve months (or never)."""
        checked = self.facts_checked_on
        return checked is None or checked < today - timedelta(days=FACTS_FRESH_DAYS)


def german_date(day: date | None) -> str:
    """TT.MM.JJJJ, as the admin's date fields show it; "…" for an open end."""
    return date_format(day, "d.m.Y") if day else "…"


class ApplicationWindow(models.Model):
    """A period in which applications are accepted; no dates at all means "any time"."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("Programm"),
        on_delete=models.CASCADE,
        related_name="application_windows",
    )
    opens = models.DateField(_("ab"), null=True, blank=True)
    closes = models.DateField(_("bis (Frist)"), null=True, blank=True)
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Antragsfenster")
        verbose_name_plural = _("Antragsfenster")
        ordering = ["programme", "opens", "closes"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__isnull=True)
                | Q(opens__isnull=True)
                | Q(closes__gte=models.F("opens")),
                name="window_closes_after_opens",
            )
        ]
        indexes = [
            models.Index(fields=["programme", "closes"], name="window_programme_closes"),
            models.Index(fields=["closes"], name="window_closes"),  # deadlines coming up
        ]

    def __str__(self):
        return f"{german_date(self.opens)} – {german_date(self.closes)}"


class Link(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("Programm"), on_delete=models.CASCADE, related_name="links"
    )
    title = models.CharField(_("Titel"), max_length=200)
    url = models.URLField(_("Adresse"), max_length=500)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("offizieller Link")
        verbose_name_plural = _("offizielle Links")
        ordering = ["programme", "position", "pk"]

    def __str__(self):
        return self.title


class Participation(models.Model):
    class Role(models.TextChoices):
        LEITKOMMUNE = "leitkommune", _("Leitkommune")
        PARTNER = "partner", _("Partner")
        MODELLKOMMUNE = "modellkommune", _("Modellkommune")
        PROJEKTSTANDORT = "projektstandort", _("Projektstandort")
        MITGLIED = "mitglied", _("Mitglied")
        TEILNEHMERIN = "teilnehmerin", _("Teilnehmerin")
        KOOPERATION = "kooperation", _("Kooperationspartnerin")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("Programm"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    round = models.CharField(
        _("Durchgang/Zeitraum"),
        max_length=120,
        blank=True,
        help_text=_("z. B. „5. Durchgang 2024–2025“"),
    )
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["programme", "round", "role", "municipality__sort_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "municipality", "role", "round"],
                name="participation_unique",
            )
        ]
        indexes = [models.Index(fields=["municipality", "programme"], name="participation_muni")]

    def __str__(self):
        return f"{self.municipality} – {self.get_role_display()} ({self.programme})"

    def get_role_display(self) -> str:
        return choice_label(self.Role, self.role)
