"""Property managers' applications: the public form, the office's review with a premises search,
and approval (company, account, grants, set-password link) — forms, selectors, services and
views of their own."""
