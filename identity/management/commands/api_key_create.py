from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from identity.services import api_key_create
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Create an integration (ERP) API key for a tenant; the key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the tenant's subdomain (slug)")
        parser.add_argument("--name", default="ERP")

    def handle(self, *args, tenant: str, name: str, **options) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None or row.is_public:
            raise CommandError(f"No tenant {tenant!r}.")
        with schema_context(row.schema_name):
            self.stdout.write(api_key_create(name=name))
