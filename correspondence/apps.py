from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    schema = "tenant"
