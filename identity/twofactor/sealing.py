"""Moved to ``core.sealing`` (notifications and payments seal their providers' keys too); the
names stay importable here for the migrations that used them."""

from core.sealing import InvalidToken, register_sealed, reseal, seal, sealed_fields, unseal

__all__ = ["InvalidToken", "register_sealed", "reseal", "seal", "sealed_fields", "unseal"]
