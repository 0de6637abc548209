"""Dates and numbers as each of the portals' languages writes them (Django's FORMAT_MODULE_PATH):
Polish and Ukrainian 15.12.2026 and 1 234,56; English as written in Europe, 15/12/2026 (never
the American month first) and 1,234.56."""
