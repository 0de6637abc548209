"""The manager's switcher (the customers and buildings it manages) for the portal's navigation."""

from billing import selectors
from billing.models import Building, Customer
from billing.views import FOCUS_KEY
from core.collation import in_language_order


def manager_switch(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", "") != "manager":
        return {}

    scope = selectors.unfocused_scope(user)  # everything it manages, whatever it looks at now
    if scope.is_empty:  # a manager account not (or no longer) linked to a company
        return {}
    return {
        "manager_switch": {
            "customers": Customer.objects.filter(pk__in=scope.customer_ids).order_by(
                *in_language_order("name"), "pk"
            )[:200],
            "buildings": Building.objects.filter(premises__pk__in=scope.premises_ids)
            .distinct()
            .order_by(*in_language_order("street"), "building_no")[:200],
            "focus": request.session.get(FOCUS_KEY) or {},
        }
    }
