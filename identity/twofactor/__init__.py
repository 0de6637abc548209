"""Two-factor authentication, in three layers that import downwards only:

- ``codes``: backup codes (generation, salted hashes, comparison), pure functions;
- ``sealing``: TOTP secrets encrypted at rest;
- ``services``: enrolment, replacement and verification over the device models.

The device models (``identity.models.devices``) use ``codes`` and ``sealing``; ``services`` uses
the models. Import the module you need (``from identity.twofactor import services``): this
package imports nothing, so a model may use ``codes`` without loading the services.
"""
