"""What the billing models share."""

MONEY = {"max_digits": 14, "decimal_places": 2}
