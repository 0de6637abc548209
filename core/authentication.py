"""The API's browser-session authentication, shared by the platform and tenant APIs."""

from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with CSRF, as the pages use it. Without a session the answer is 401
    (API.md: not authenticated), not DRF's 403 for schemes that name no challenge."""

    def authenticate_header(self, request) -> str:
        return 'Session realm="ebok"'
