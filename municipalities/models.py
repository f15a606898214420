from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.db import german_sort_key

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
        expression=german_sort_key("name"),
        output_field=models.CharField(max_length=200),
        db_persist=True,
    )
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated = models.DateTimeField(_("geändert"), auto_now=True)

    objects = MunicipalityQuerySet.as_manager()
    # The outline comes from the boundary import and is large; the sort key is derived.
    history = HistoricalRecords(excluded_fields=["outline", "sort_name"])

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
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:municipality-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.key,)

    @property
    def level(self) -> int:
        """0 Land, 1 Regierungsbezirk, 2 Kreis, 3 Gemeinde: read off the key length."""
        return {2: 0, 3: 1, 5: 2, 8: 3}[len(self.key)]

    def ancestors(self):
        return Municipality.objects.ancestors_of(self)

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
