"""ALLOWED_HOSTS that know tenants' custom domains.

Django validates the Host header against ``settings.ALLOWED_HOSTS`` by iterating it. This list
yields the static entries (the platform domain and its subdomains) and then every custom domain
that the tenant registry has resolved in this process. The tenant middleware resolves the host
before anything else calls ``request.get_host()``, so a custom domain of a real tenant passes and
any other host is answered 404 by that middleware.
"""


class AllowedHosts(list):
    def __iter__(self):
        yield from super().__iter__()
        from tenants.registry import known_hosts  # noqa: PLC0415 - the settings import this module before apps load

        yield from known_hosts()

    def __bool__(self) -> bool:
        return True
