import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PLATFORM_HOST as ROOT
from conftest import first_link
from conftest import signup_form_data as signup_data


def last_link(message) -> str:
    return first_link(message.body_text)


needs_age = pytest.mark.skipif(
    not shutil.which("age") and not os.environ.get("CI"),
    reason="age is not installed (scripts/services.sh installs it)",
)


@pytest.fixture
def export_key(tmp_path, settings) -> Path:
    """A fresh age key pair: exports are encrypted to its public key (the setting); the private
    key's file, kept elsewhere, is what the test restores with."""
    folder = tmp_path / "keys"
    folder.mkdir()
    private = folder / "operator.key"
    subprocess.run(  # noqa: S603 - Debian's tool, the test's own folder
        ["age-keygen", "-o", str(private)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    public = next(
        line.split(": ", 1)[1]
        for line in private.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    settings.EXPORT_RECIPIENTS = [public]
    return private


def decrypted(path: Path, key: Path) -> bytes:
    return subprocess.run(  # noqa: S603 - Debian's tool, the test's own files
        ["age", "--decrypt", "--identity", str(key), str(path)],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout


__all__ = ["ROOT", "decrypted", "export_key", "last_link", "needs_age", "signup_data"]
