"""Programmes as a spreadsheet (django-import-export): the columns editors keep in Excel, with
German headings, choice labels, names instead of ids and dates as TT.MM.JJJJ.

Importing changes existing programmes (by „Nr.“) and adds new ones (empty „Nr.“). Each row that
changes a programme is one version in its history with the file's name as the reason. The column
„Stand“ holds when the programme was last saved at export: a row whose programme was saved since
is refused, so nobody's later work is overwritten by an old list. An error names the column and
the value; the admin imports all rows or none.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from reversion.models import Version

from core.edit_guard import moment, person
from core.history import recorded
from programmes.models import FundingBody, FundingType, Level, Programme, TargetGroup, Topic

DATE_FORMAT = "%d.%m.%Y"
VERSION_COLUMN = "Stand"
ID_COLUMN = "Nr."
TITLE_COLUMN = "Titel"


class ChoiceLabelWidget(widgets.Widget):
    """The German label in the sheet; the label or the stored value is read back."""

    def __init__(self, choices, **kwargs):
        self.labels = {value: str(label) for value, label in choices}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for stored, label in self.labels.items():
            if text.casefold() in {stored.casefold(), label.casefold()}:
                return stored
        raise ValueError(
            _("erlaubt sind: %(labels)s") % {"labels": ", ".join(self.labels.values())}
        )

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related entry by its name; an unknown name is an error, not an exception."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value else value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(_("unbekannt")) from None


class NamesWidget(widgets.ManyToManyWidget):
    """Names separated by semicolons; every name must exist."""

    def __init__(self, model):
        super().__init__(model, separator=";", field="name")

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(";") if name.strip()]
        found = {entry.name: entry for entry in self.model.objects.filter(name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(_("unbekannt: %(names)s") % {"names": "; ".join(unknown)})
        return [found[name] for name in names]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(entry.name for entry in value.all()) if value is not None else ""


class ChangedColumns(resources.Diff):
    """The preview's cells, narrow enough for the screen: number, title and what changes
    („Spalte: alt → neu“, or the values of a new row)."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.columns = [field.column_name for field in resource.get_import_fields()]

    def as_html(self):
        values = dict(zip(self.columns, self.right, strict=False))
        before = dict(zip(self.columns, self.left, strict=False))
        shown = [c for c in self.columns if c not in {ID_COLUMN, VERSION_COLUMN}]
        if self.new:
            changes = [f"{c}: {values[c]}" for c in shown if values.get(c)]
        else:
            changes = [f"{c}: {before[c]} → {values[c]}" for c in shown if before[c] != values[c]]
        title = before.get(TITLE_COLUMN) or values.get(TITLE_COLUMN)
        return [values.get(ID_COLUMN) or before.get(ID_COLUMN), title, "; ".join(changes)]


def date_field(attribute: str) -> fields.Field:
    return fields.Field(
        attribute=attribute,
        column_name=str(Programme._meta.get_field(attribute).verbose_name).capitalize(),
        widget=widgets.DateWidget(format=DATE_FORMAT),
    )


def labelled(attribute: str, **kwargs) -> fields.Field:
    """A column headed by the field's German name; an empty text cell is an empty text."""
    name = str(Programme._meta.get_field(attribute).verbose_name)
    kwargs.setdefault("widget", widgets.CharWidget(allow_blank=True))
    return fields.Field(attribute=attribute, column_name=name[:1].upper() + name[1:], **kwargs)


class ProgrammeResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name=ID_COLUMN, widget=widgets.IntegerWidget())
    title = labelled("title")
    short_name = labelled("short_name")
    slug = labelled("slug")
    summary = labelled("summary")
    description = labelled("description")
    kind = labelled("kind", widget=ChoiceLabelWidget(Programme.Kind.choices))
    level = labelled("level", widget=ChoiceLabelWidget(Level.choices))
    funding_body = labelled("funding_body", widget=NamedForeignKeyWidget(FundingBody, "name"))
    funding_types = labelled("funding_types", widget=NamesWidget(FundingType))
    topics = labelled("topics", widget=NamesWidget(Topic))
    target_groups = labelled("target_groups", widget=NamesWidget(TargetGroup))
    start_date = date_field("start_date")
    end_date = date_field("end_date")
    website = labelled("website")
    contact_email = labelled("contact_email")
    facts_checked_on = date_field("facts_checked_on")
    # Shown, never imported: publishing goes through the workflow.
    publication = labelled(
        "publication", widget=ChoiceLabelWidget(Programme.Publication.choices), readonly=True
    )
    updated = fields.Field(attribute="updated", column_name=VERSION_COLUMN, readonly=True)

    class Meta:
        model = Programme
        name = "Programme"
        import_id_fields = ["id"]
        fields = [
            "id",
            "title",
            "short_name",
            "slug",
            "summary",
            "description",
            "kind",
            "level",
            "funding_body",
            "funding_types",
            "topics",
            "target_groups",
            "start_date",
            "end_date",
            "website",
            "contact_email",
            "facts_checked_on",
            "publication",
            "updated",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_diff_class(self):
        return ChangedColumns

    def get_diff_headers(self):
        return [ID_COLUMN, TITLE_COLUMN, _("Änderungen")]

    def dehydrate_updated(self, programme) -> str:
        return programme.updated.isoformat() if programme.updated else ""

    def get_queryset(self):
        return super().get_queryset().select_related("funding_body").defer("search_vector")

    # Importing ------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        """One row, one version in the history, with the file's name as its reason."""
        self._row = row
        reason = _("Import aus „%(file)s“") % {"file": kwargs.get("file_name") or _("Tabelle")}
        with recorded(reason, kwargs.get("user")):
            return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for field in self.get_import_fields():
            if isinstance(field.widget, NamesWidget) and field.column_name in self._row:
                try:
                    field.clean(self._row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error))
        stale = self.saved_since_export(instance)
        if stale:
            errors[NON_FIELD_ERRORS] = ValidationError(stale)
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as error:
            raise ValidationError(self.by_column(error)) from None

    def saved_since_export(self, instance) -> str:
        """The version guard: the row must carry the programme's „Stand“ at export."""
        if instance.pk is None or instance._state.adding:
            return ""
        stored = Programme.objects.filter(pk=instance.pk).values("updated", "title").first()
        given = str(self._row.get(VERSION_COLUMN) or "").strip()
        if stored is None or given == stored["updated"].isoformat():
            return ""
        latest = Version.objects.get_for_object(instance).select_related("revision__user").first()
        who = person(latest.revision.user) if latest else _("jemandem")
        return _(
            "Spalte „%(column)s“, Wert „%(value)s“: „%(title)s“ wurde seit dem Export von %(who)s "
            "%(when)s gespeichert. Bitte neu exportieren und die Änderung dort eintragen."
        ) % {
            "column": VERSION_COLUMN,
            "value": given or _("leer"),
            "title": stored["title"],
            "who": who,
            "when": moment(stored["updated"]),
        }

    def by_column(self, error: ValidationError) -> dict:
        """Errors keyed by the sheet's column, each naming the value it refers to."""
        columns = {field.attribute: field.column_name for field in self.get_import_fields()}
        named = {}
        for attribute, messages in error.message_dict.items():
            if attribute not in columns:
                named.setdefault(NON_FIELD_ERRORS, []).extend(messages)
                continue
            column = columns[attribute]
            value = self._row.get(column, "")
            named[column] = [
                _("Spalte „%(column)s“, Wert „%(value)s“: %(message)s")
                % {"column": column, "value": "" if value is None else value, "message": message}
                for message in messages
            ]
        return named
