from conftest import PLATFORM_HOST as ROOT
from conftest import first_link
from conftest import signup_form_data as signup_data


def last_link(message) -> str:
    return first_link(message.body_text)


__all__ = ["ROOT", "last_link", "signup_data"]
