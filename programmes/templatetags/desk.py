from django import template

from programmes.admin.desk import desk

register = template.Library()


@register.inclusion_tag("admin/desk.html", takes_context=True)
def attention_desk(context):
    return {"sections": desk(context["request"].user)}
