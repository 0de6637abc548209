from django.core.management.base import BaseCommand

from tenants.demo import load_demo_tenants


class Command(BaseCommand):
    help = "Load the five fictional demo tenants (one per preset A–E) with their accounts."

    def handle(self, *args, **options) -> None:
        load_demo_tenants(stdout=self.stdout)
