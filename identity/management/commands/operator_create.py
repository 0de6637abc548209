"""Create a platform operator (public schema). The operator enrols an authenticator app at the
first login to /console/."""

import os

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.access import Role
from core.errors import ApplicationError
from identity.services import user_create


class Command(BaseCommand):
    help = "Create a platform operator (the password comes from OPERATOR_PASSWORD)."

    def add_arguments(self, parser):
        parser.add_argument("login")
        parser.add_argument("email")
        parser.add_argument("--keep", action="store_true", help="do nothing if the login exists")

    def handle(self, *args, **options):

        password = os.environ.get("OPERATOR_PASSWORD", "")
        if not password:
            raise CommandError(
                "Set OPERATOR_PASSWORD in the environment (never on the command line)."
            )
        with schema_context("public"):
            try:
                user = user_create(
                    login=options["login"],
                    password=password,
                    role=Role.OPERATOR,
                    email=options["email"],
                    if_exists="keep" if options["keep"] else "error",
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"operator {user.get_username()} ready")
