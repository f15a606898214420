"""Programmes to and from a spreadsheet in the admin (django-import-export, resource in
programmes.spreadsheet): „Exportieren“ (all or filtered) and the action „Ausgewählte
exportieren“ give XLSX or CSV; „Importieren“ first shows what each row would do (neu, geändert
mit den geänderten Spalten, unverändert) and changes nothing; only the confirmation imports,
all rows or – if any row is refused now – none."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm

from programmes.spreadsheet import ProgrammeResource


class SpreadsheetAdminMixin(ImportMixin, ExportActionMixin):
    resource_classes = [ProgrammeResource]
    # Every column, always: the file is meant to come back, and the form that picks columns
    # needs inline script the Content-Security-Policy blocks.
    export_form_class = ExportForm
    formats = [XLSX, CSV]
    show_change_form_export = False
    import_error_display = ("message",)

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import, too, keeps nothing if a row fails now.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        self.message_user(
            request,
            _("Nichts importiert: eine Zeile ist inzwischen nicht mehr gültig (siehe unten)."),
            messages.ERROR,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importieren"),
            "opts": self.model._meta,
            "result": result,
            "form": self.create_import_form(request),
            "import_error_display": self.import_error_display,
        }
        return TemplateResponse(request, [self.import_template_name], context)
