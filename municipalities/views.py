from django.shortcuts import get_object_or_404, render

from municipalities.models import Municipality


def municipality_list(request):
    return render(request, "municipalities/municipality_list.html",
                  {"municipalities": Municipality.objects.all()[:50]})


def municipality_detail(request, slug):
    municipality = get_object_or_404(Municipality, slug=slug)
    return render(request, "municipalities/municipality_detail.html",
                  {"municipality": municipality})
