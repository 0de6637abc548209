import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand

from demo.portals import DEMO_TENANTS, load_demo_ledger, load_demo_tenants


class Command(BaseCommand):
    help = (
        "Load the five fictional demo tenants (one per preset A–E) with their accounts, documents "
        "and two years of billing history (loaded through the ERP import, two tenants at a time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ledger-only", metavar="SLUG", help="load one tenant's billing history (internal)"
        )
        parser.add_argument("--no-ledger", action="store_true", help="tenants and accounts only")
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--months", type=int, default=24)

    def handle(
        self, *args, ledger_only=None, no_ledger=False, customers=2000, months=24, **options
    ) -> None:
        if ledger_only:
            state = load_demo_ledger(ledger_only, customers=customers, months=months)
            self.stdout.write(f"{ledger_only}: billing history {state}")
            return
        load_demo_tenants(stdout=self.stdout)
        if no_ledger:
            return
        started = time.monotonic()

        def one(slug: str) -> str:
            # A process per tenant: the two cores import two tenants at once.
            done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
                [
                    sys.executable,
                    sys.argv[0],
                    "load_demo",
                    "--ledger-only",
                    slug,
                    "--customers",
                    str(customers),
                    "--months",
                    str(months),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return done.stdout.strip()

        with ThreadPoolExecutor(max_workers=2) as pool:
            for line in pool.map(one, [d.slug for d in DEMO_TENANTS]):
                self.stdout.write(line)
        self.stdout.write(f"billing history: {time.monotonic() - started:.1f} s")
