"""A tenant's export holds its customers' personal data: at rest it is encrypted, in the age
format (age-encryption.org/v1, X25519), to the public keys in ``EXPORT_RECIPIENTS``. The server
holds only those public keys; the private key ("identity") stays with whoever restores exports
(the platform's security officer, offline), so neither the server's disk nor an operator who can
download from the console can read a file alone. Debian's ``age`` does the work, streaming: the
plain SQL is never written to the export folder.

Restoring: ``manage.py tenant_restore FILE.sql.age --identity KEYFILE`` decrypts into a private
temporary folder, restores, and deletes the plain copy."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from tenants.errors import TenantErrorCode

SUFFIX = ".age"
# An age X25519 recipient: "age1" and 58 bech32 characters.
RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")


def recipients() -> list[str]:
    """The public keys exports are encrypted to; refused (nothing written) when none is set or
    one is not an age recipient."""
    keys = [k.strip() for k in getattr(settings, "EXPORT_RECIPIENTS", ()) if k.strip()]
    if not keys:
        raise ApplicationError(
            _(
                "Exports are encrypted, and no public key to encrypt them to is set "
                "(EXPORT_RECIPIENTS). Nothing was exported."
            ),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        )
    if not all(RECIPIENT.fullmatch(k) for k in keys):
        raise ApplicationError(
            _("A key in EXPORT_RECIPIENTS is not an age public key. Nothing was exported."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        )
    return keys


def tool() -> str:
    found = shutil.which("age")
    if found is None:
        raise ApplicationError(
            _("The encryption tool (age) is not installed on this server. Nothing was exported."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        )
    return found


@contextlib.contextmanager
def sealed_writer(target: Path, keys: list[str]) -> Iterator[IO[bytes]]:
    """A binary stream whose bytes reach ``target`` encrypted to ``keys``. The file is removed
    if the writing or the encryption fails."""
    command = [tool(), "--encrypt", "--output", str(target)]
    for key in keys:
        command += ["--recipient", key]
    process = subprocess.Popen(  # noqa: S603 - a fixed tool, the keys checked above
        command, stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stream = process.stdin
    if stream is None:  # never: stdin is a pipe
        raise RuntimeError("age has no input")
    try:
        yield stream
        stream.close()
    except BaseException:
        process.kill()
        process.wait()
        target.unlink(missing_ok=True)
        raise
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.wait() != 0:
        target.unlink(missing_ok=True)
        raise ApplicationError(
            _("The export could not be encrypted. Nothing was exported."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
            extra={"detail": error[:500]},
        )


@contextlib.contextmanager
def opened(source: Path, identity: Path | None) -> Iterator[Path]:
    """``source`` as plain SQL: an encrypted export is decrypted with the private key in
    ``identity`` into a folder only this process's user can read, removed afterwards."""
    if source.suffix != SUFFIX:
        yield source
        return
    if identity is None or not identity.is_file():
        raise ApplicationError(
            _("This export is encrypted: give the file with the private key (--identity)."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=400,
        )
    with tempfile.TemporaryDirectory(prefix="ebok-restore-") as folder:  # mode 0700
        plain = Path(folder) / source.stem
        done = subprocess.run(  # noqa: S603 - a fixed tool and the operator's own files
            [tool(), "--decrypt", "--identity", str(identity), "--output", str(plain), str(source)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise ApplicationError(
                _("The export could not be decrypted with this key."),
                code=TenantErrorCode.EXPORT_FAILED,
                status=400,
            )
        yield plain
