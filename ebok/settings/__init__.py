"""Settings package: ``base`` holds everything, ``dev``/``test``/``production`` adjust it.

Every value that differs between machines comes from the environment (see ``.env.example``).
"""
