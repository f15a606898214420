"""Enrolment codes in the admin, for superusers only: create one for a staff account and see
which are open, used or expired. The code itself appears once, right after saving."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.enrolment import issue
from portal.models import EnrolmentCode


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "expires", "used", "created_by"]
    fields = ["user", "expires"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a code is replaced by a new one, never edited

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        code = issue(obj)
        until = date_format(timezone.localtime(obj.expires), "DATETIME_FORMAT")
        message = _(
            "Einrichtungscode für „%(user)s“: %(code)s – gültig bis %(until)s, einmal. Er wird "
            "nur jetzt angezeigt; ein früherer Code dieses Kontos gilt nicht mehr."
        ) % {"user": obj.user, "code": code, "until": until}
        messages.success(request, message)
        if TOTPDevice.objects.filter(user=obj.user, confirmed=True).exists():
            messages.warning(
                request,
                _(
                    "Das Konto hat bereits einen Authenticator; der Code wirkt erst, wenn dieses "
                    "Gerät gelöscht ist."
                ),
            )

    def response_add(self, request, obj, post_url_continue=None):
        # Only the code's message: the admin's own "added successfully" would repeat it.
        return self.response_post_save_add(request, obj)
