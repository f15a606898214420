"""The 400 and 404 bodies as the schema declares them (opendata.errors writes the 400s)."""

from rest_framework import serializers


class ChoiceSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The place with its kind and where it lies.")
    value = serializers.CharField(help_text="The parameter's value for it (a slug).")


class ParameterErrorSerializer(serializers.Serializer):
    parameter = serializers.CharField(help_text="The query parameter that was rejected.")
    label = serializers.CharField(help_text="Its name in the portal (German).")
    message = serializers.CharField(help_text="What was wrong with it (German).")
    choices = ChoiceSerializer(
        many=True,
        help_text="Values meant instead, if any: the places an ambiguous name fits, close names.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ParameterErrorSerializer(many=True)


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()
