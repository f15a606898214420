from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.db import choice_label
from core.german import sort_key_expression

# Amtlicher Gemeindeschlüssel: 2 digits Land, 3 Regierungsbezirk, 5 Kreis, 8 Gemeinde.
KEY_PATTERN = r"^[0-9]{2}([0-9]|[0-9]{3}|[0-9]{6})?$"
KEY_PREFIX_LENGTHS = (2, 3, 5)


class MunicipalityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def within(self, region: "Municipality"):
        """Everything inside a region (not the region itself): its key is a prefix of theirs."""
        return self.filter(key__startswith=region.key).exclude(pk=region.pk)

    def ancestors_of(self, municipality: "Municipality"):
        """Land, Regierungsbezirk and Kreis above a municipality, outermost first."""
        key = municipality.key
        prefixes = [key[:length] for length in KEY_PREFIX_LENGTHS if length < len(key)]
        return self.filter(key__in=prefixes).order_by("key")

    def family(self, slug: str):
        """The municipality with this slug, the regions above it and the active ones directly
        inside it, in one query: ``(municipality, ancestors, children)``, or None."""
        above = RawSQL(
            f"SELECT left(m.key, n) FROM {Municipality._meta.db_table} m, "
            f"(VALUES {', '.join(f'({n})' for n in KEY_PREFIX_LENGTHS)}) AS lengths (n) "
            "WHERE m.slug = %s AND length(m.key) > n",
            (slug,),
        )
        rows = list(
            self.defer("outline").filter(  # the maps read outlines on their own
                Q(slug=slug) | Q(key__in=above) | Q(parent__slug=slug, is_active=True)
            )
        )
        own = next((row for row in rows if row.slug == slug), None)
        if own is None:
            return None
        ancestors = sorted(
            (row for row in rows if len(row.key) < len(own.key) and own.key.startswith(row.key)),
            key=lambda row: row.key,
        )
        children = sorted(
            (row for row in rows if row.parent_id == own.pk and row.is_active),
            key=lambda row: (row.sort_name, row.key),
        )
        own._ancestors = ancestors
        return own, ancestors, children

    def by_slug_or_key(self, value: str):
        return self.filter(Q(slug=value) | Q(key=value))

    def get_by_natural_key(self, key: str):
        """Fixtures refer to a municipality by its official key (AGS), not by database id."""
        return self.get(key=key)


class Municipality(models.Model):
    class Kind(models.TextChoices):
        LAND = "land", _("Land")
        REGIERUNGSBEZIRK = "regierungsbezirk", _("Regierungsbezirk")
        KREIS = "kreis", _("Kreis")
        STAEDTEREGION = "staedteregion", _("Städteregion")
        KREISFREIE_STADT = "kreisfreie-stadt", _("Kreisfreie Stadt")
        STADT = "stadt", _("Stadt")
        GEMEINDE = "gemeinde", _("Gemeinde")
        GEMEINDEFREIES_GEBIET = "gemeindefreies-gebiet", _("Gemeindefreies Gebiet")

    key = models.CharField(
        _("amtlicher Schlüssel"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(KEY_PATTERN, _("2, 3, 5 oder 8 Ziffern (AGS)."))],
        help_text=_("AGS: 2 Ziffern Land, 3 Regierungsbezirk, 5 Kreis, 8 Gemeinde."),
    )
    name = models.CharField(_("Name"), max_length=200)
    official_name = models.CharField(
        _("amtliche Bezeichnung"),
        max_length=200,
        blank=True,
        help_text=_("Wie im Gemeindeverzeichnis, z. B. „Solingen, Klingenstadt“."),
    )
    slug = models.SlugField(_("Kurzadresse"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("Einwohnerzahl"), null=True, blank=True)
    population_date = models.DateField(_("Stichtag Einwohnerzahl"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("Fläche (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    latitude = models.DecimalField(
        _("Breitengrad (Mittelpunkt)"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("Längengrad (Mittelpunkt)"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    website = models.URLField(_("Website"), blank=True)
    outline = models.JSONField(
        _("Umriss"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Vereinfachte Grenze als GeoJSON-Geometrie (WGS84), aus dem Grenzimport."),
    )
    is_active = models.BooleanField(
        _("aktiv"),
        default=True,
        help_text=_("Nicht mehr im amtlichen Verzeichnis (z. B. nach Gemeindefusion)."),
    )
    sort_name = models.GeneratedField(
        expression=sort_key_expression("name"),
        output_field=models.CharField(max_length=200),
        db_persist=True,
    )
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated = models.DateTimeField(_("geändert"), auto_now=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["sort_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key__regex=KEY_PATTERN), name="municipality_key_format"
            ),
            models.CheckConstraint(
                condition=Q(population_date__isnull=True) | Q(population__isnull=False),
                name="municipality_population_date_needs_population",
            ),
        ]
        indexes = [
            models.Index(
                fields=["key"], name="municipality_key_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "sort_name"], name="municipality_kind_name"),
            models.Index(fields=["sort_name", "key"], name="municipality_name_key"),  # the list
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:municipality-detail", kwargs={"slug": self.slug})

    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def natural_key(self):
        return (self.key,)

    @property
    def level(self) -> int:
        """0 Land, 1 Regierungsbezirk, 2 Kreis, 3 Gemeinde: read off the key length."""
        return {2: 0, 3: 1, 5: 2, 8: 3}[len(self.key)]

    def ancestors(self) -> list["Municipality"]:
        """Land, Regierungsbezirk and Kreis above, outermost first; asked once per instance
        (the page and its map both show them)."""
        if not hasattr(self, "_ancestors"):
            self._ancestors = list(Municipality.objects.ancestors_of(self))
        return self._ancestors

    def descendants(self):
        return Municipality.objects.within(self)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent and not self.key.startswith(self.parent.key):
            raise ValidationError(
                {
                    "parent": _(
                        "Der Schlüssel %(key)s liegt nicht im Gebiet %(parent)s (%(pkey)s)."
                    )
                    % {"key": self.key, "parent": self.parent, "pkey": self.parent.key}
                }
            )
