from django.apps import AppConfig


class EbokConfig(AppConfig):
    """The project: settings, URLconfs, middleware, the platform's own pages, templates, static
    files and the translations. It may use every app; no app uses it."""

    name = "ebok"
    verbose_name = "ebok"
    schema = "shared"  # templates, static files and commands only; no tables
