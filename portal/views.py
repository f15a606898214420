from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def page(request, template):
    return render(request, template)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
