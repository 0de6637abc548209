from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    schema = "tenant"

    def ready(self) -> None:
        from billing import registration_matching, selectors
        from identity import profile, registration

        registration.register_matcher(registration_matching.match_customer)
        registration.register_attacher(
            registration_matching.attach_customers, registration_matching.owner_email
        )
        profile.register_section(selectors.account_sections)
