"""Building blocks every app stands on, with no knowledge of any domain app: errors, the outbox
and mail rendering, PDF basics, pagination, formatting, queueing, logging, HTTP helpers and the
registries through which apps add themselves to the portal. Nothing here imports an app above."""
