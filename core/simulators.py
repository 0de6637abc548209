"""What the local simulators of outside services share (the payment gateways, the SMS
provider): one HTTP server on loopback that any of them answer on, since their protocols'
paths do not meet; one request wrapper; and the portal's callback address reached as a browser
would reach it. They speak the services' real protocols over HTTP, for development and tests."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests


class Exchange:
    """One request to a simulator and the means to answer it."""

    def __init__(self, handler: BaseHTTPRequestHandler, method: str):
        self.handler = handler
        self.method = method
        url = urlsplit(handler.path)
        self.path = url.path
        self.query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.headers = handler.headers
        length = int(handler.headers.get("Content-Length") or 0)
        self.raw = handler.rfile.read(length) if length else b""

    def json_body(self) -> dict:
        try:
            body = json.loads(self.raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.raw.decode(errors="replace")).items()}

    def send(self, status: int, body: bytes, content_type: str, headers=()) -> None:
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", content_type)
        self.handler.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.write(body)

    def json(self, status: int, body: dict, headers=()) -> None:
        self.send(status, json.dumps(body).encode(), "application/json", headers)

    def redirect(self, location: str) -> None:
        self.send(303, b"", "text/plain", [("Location", location)])


class ProtocolSimulator:
    """One service's protocol. ``handle`` answers the requests that are its own."""

    name = ""

    def __init__(self, port: int = 0, server: Server | None = None):
        self._lock = threading.Lock()
        self.server = server or Server(port)
        self.server.protocols.append(self)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def start(self):
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def handle(self, exchange: Exchange) -> bool:
        raise NotImplementedError

    @staticmethod
    def send(
        url: str, *, headers: dict | None = None, method: str = "POST", **kwargs
    ) -> requests.Response | None:
        """A request (POST unless told) to the portal; a ``*.localhost`` host is reached on
        loopback with its name in the Host header (as a browser would). None: no answer."""
        parts = urlsplit(url)
        headers = dict(headers or {})
        if (parts.hostname or "").endswith(".localhost"):
            headers["Host"] = parts.netloc
            url = parts._replace(netloc=f"127.0.0.1:{parts.port or 80}").geturl()
        try:
            return requests.request(method, url, headers=headers, timeout=30, **kwargs)
        except requests.RequestException:
            return None

    @classmethod
    def post(cls, url: str, **kwargs) -> int:
        """POST to the shop; its answer's status (0: no answer)."""
        response = cls.send(url, **kwargs)
        return response.status_code if response is not None else 0

    @staticmethod
    def at_once(times: int, send) -> list:
        """``send()`` ``times`` times concurrently; what each returned."""
        results: list = []
        threads = [threading.Thread(target=lambda: results.append(send())) for _ in range(times)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return results


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0):
        self.protocols: list[ProtocolSimulator] = []
        self._running = False
        super().__init__(("127.0.0.1", port), _handler(self))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Server:
        if not self._running:
            self._running = True
            threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._running:
            self._running = False
            self.shutdown()
            self.server_close()

    def handle_error(self, request, client_address) -> None:
        """A shop that hung up (its timeout) is no error of the simulator's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _dispatch(self, method: str) -> None:
            exchange = Exchange(self, method)
            for protocol in server.protocols:
                if protocol.handle(exchange):
                    return
            exchange.json(404, {"error": "Not found", "code": 404})

        def do_GET(self):  # noqa: N802 - http.server's names
            self._dispatch("GET")

        def do_POST(self):  # noqa: N802
            self._dispatch("POST")

        def do_PUT(self):  # noqa: N802
            self._dispatch("PUT")

    return Handler
