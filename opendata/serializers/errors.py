"""The 400 and 404 bodies as the schema declares them (opendata.errors writes the 400s)."""

from rest_framework import serializers


class ParameterErrorSerializer(serializers.Serializer):
    parameter = serializers.CharField(help_text="The query parameter that was rejected.")
    label = serializers.CharField(help_text="Its name in the portal (German).")
    message = serializers.CharField(help_text="What was wrong with it (German).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ParameterErrorSerializer(many=True)


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()
