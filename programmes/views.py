from django.shortcuts import get_object_or_404, render

from programmes.models import GuidingPrinciple, Programme, Topic


def programme_list(request):
    return render(request, "programmes/programme_list.html",
                  {"programmes": Programme.objects.published()})


def programme_detail(request, slug):
    programme = get_object_or_404(Programme.objects.published().with_status(), slug=slug)
    return render(request, "programmes/programme_detail.html", {"programme": programme})


def principle_list(request):
    return render(request, "programmes/principle_list.html")


def principle_detail(request, slug):
    principle = get_object_or_404(GuidingPrinciple, slug=slug)
    return render(request, "programmes/principle_detail.html", {"principle": principle})


def topic_list(request):
    return render(request, "programmes/topic_list.html", {"topics": Topic.objects.all()})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return render(request, "programmes/topic_detail.html", {"topic": topic})
