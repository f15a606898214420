"""Two-factor login (TOTP) for the editors' admin, required when ADMIN_REQUIRE_2FA is on.

The password login stays Django's own (guarded by django-axes). Afterwards a staff session that
has not yet presented a one-time code is sent to ``<ADMIN_URL>2fa/``:

- with a confirmed authenticator, the page asks for the current six-digit code;
- without one, it first asks for a one-time enrolment code from an administrator
  (portal/enrolment.py), then shows a QR code to scan and confirms the new authenticator with
  a first code.

Wrong TOTP codes are throttled by django-otp (1, 2, 4 … seconds between attempts); wrong
enrolment codes count as failed logins. Administrators can also create an authenticator for an
account with ``manage.py create_totp_device``.
"""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import enrolment

DEVICE_NAME = "Authenticator"


def two_factor_path() -> str:
    return f"/{settings.ADMIN_URL}2fa/"


class AdminTwoFactorMiddleware:
    """Sends staff who logged in with their password but no one-time code to the 2FA page.

    Runs after django-otp's OTPMiddleware (which provides ``user.is_verified()``). The login
    and logout pages, the 2FA page itself and the admin's translations stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ADMIN_REQUIRE_2FA and self._needs_second_factor(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{two_factor_path()}?{query}")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request) -> bool:
        admin_prefix = f"/{settings.ADMIN_URL}"
        if not request.path.startswith(admin_prefix):
            return False
        user = request.user
        if not (user.is_authenticated and user.is_staff) or user.is_verified():
            return False
        exempt = {
            two_factor_path(),
            reverse("admin:login"),
            reverse("admin:logout"),
            reverse("admin:jsi18n"),
        }
        return request.path not in exempt


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Einmalcode"),
        min_length=6,
        max_length=8,
        help_text=_("Die sechs Ziffern, die Ihre Authenticator-App gerade anzeigt."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, device: TOTPDevice, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Zu viele falsche Codes. Bitte warten Sie einen Moment und versuchen es dann.")
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(_("Der Code stimmt nicht. Bitte den aktuellen eingeben."))
        return token


def qr_code_svg(text: str) -> str:
    """An inline SVG QR code (dark modules on a white field, no style attributes)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8)
    return image.to_string(encoding="unicode")


@sensitive_post_parameters("token", "code")
@never_cache
def admin_two_factor(request):
    """Verify a staff session with a one-time code, or set up the first authenticator."""
    user = request.user
    if not user.is_authenticated:
        return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
    if not user.is_staff:
        raise PermissionDenied
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if user.is_verified():
        return redirect(next_url)

    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    setting_up = device is None
    if setting_up and not enrolment.setup_allowed(request):
        return _enrolment_code(request, next_url)
    if setting_up:
        # One pending authenticator per account, kept until it is confirmed with a code.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)

    form = TokenForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            enrolment.setup_done(request)
            messages.success(request, _("Die Zwei-Faktor-Anmeldung ist eingerichtet."))
        otp_login(request, device)
        return redirect(next_url)

    context = _context(request, form, next_url, setting_up)
    if setting_up:
        context["qr_code"] = mark_safe(qr_code_svg(device.config_url))  # generated, no input
        context["secret"] = _grouped_secret(device)
    return render(request, "admin/two_factor.html", context)


def _enrolment_code(request, next_url):
    """The step before the QR code: the enrolment code an administrator handed out."""
    credentials = get_credentials(request.user.get_username())
    if request.method == "POST" and not AxesProxyHandler.is_allowed(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    form = enrolment.EnrolmentCodeForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment.allow_setup(request)
        # A fresh secret: none shown before the code was given may become the second factor.
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        return redirect(f"{two_factor_path()}?{urlencode({'next': next_url})}")
    if getattr(request, "axes_locked_out", False):  # this refusal reached the limit
        logout(request)  # AxesMiddleware answers with the lockout page
    context = _context(request, form, next_url, setting_up=True)
    context["asking_code"] = True
    return render(request, "admin/two_factor.html", context)


def _context(request, form, next_url, setting_up):
    title = _("Zwei-Faktor-Anmeldung einrichten") if setting_up else _("Zwei-Faktor-Anmeldung")
    return {
        **admin_site.each_context(request),
        "title": title,
        "form": form,
        "next": next_url,
        "setting_up": setting_up,
    }


def _grouped_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing it into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
