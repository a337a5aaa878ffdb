"""A real HTTP/1.1 server on 127.0.0.1 whose every answer is scripted by the test.

Each request is handed to the next scripted handler (the last one repeats), which writes exactly the
bytes it wants: a JSON answer, a slow SSE stream, a stream cut mid-way, no answer at all. Handlers
run on the server's threads, so the sync and the async client are tested against the same server.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

STOP_TIMEOUT = 10.0  # upper bound for any handler that waits on the client


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Exchange:
    """One request/response on its own connection (every answer says `Connection: close`)."""

    request: RecordedRequest
    sock: socket.socket
    server: ScriptedServer
    _chunked: bool = field(default=False)

    def respond(
        self, status: int, body: Any = b"", headers: Optional[dict[str, str]] = None
    ) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
        all_headers["content-length"] = str(len(payload))
        self._send_head(status, all_headers)
        self.sock.sendall(payload)

    def start_stream(self, headers: Optional[dict[str, str]] = None) -> None:
        all_headers = {"content-type": "text/event-stream", **(headers or {})}
        all_headers["transfer-encoding"] = "chunked"
        self._send_head(200, all_headers)
        self._chunked = True

    def send(self, data: bytes) -> None:
        """Body bytes; chunk-encoded once `start_stream` was called."""
        if self._chunked:
            data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        self.sock.sendall(data)

    def send_event(self, data: Any) -> None:
        self.send(f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode())

    def end_stream(self) -> None:
        self.sock.sendall(b"0\r\n\r\n")

    def wait_for_disconnect(self) -> bool:
        """Block until the client closes its side; records it on the server."""
        self.sock.settimeout(STOP_TIMEOUT)
        try:
            while self.sock.recv(1024):
                pass
        except ConnectionResetError:
            # A client that closes with bytes still unread in its buffer resets the connection (RST)
            # instead of ending it (FIN): that is a disconnect too.
            pass
        except OSError:  # the timeout included
            return False
        self.server.disconnected.set()
        return True

    def hang(self) -> None:
        """Never answer; return when the client gives up or the server stops."""
        self.wait_for_disconnect()

    def _send_head(self, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} Scripted", "connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


Handler = Callable[[Exchange], None]


class ScriptedServer:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.disconnected = threading.Event()
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()
        outer = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def script(self, *handlers: Handler) -> None:
        """Answer the next requests with these handlers in order; the last one repeats."""
        with self._lock:
            self._handlers = list(handlers)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, sock: socket.socket) -> None:
        request = _read_request(sock)
        if request is None:
            return
        with self._lock:
            self.requests.append(request)
            handler = self._handlers.pop(0) if len(self._handlers) > 1 else self._handlers[0]
        # The client may go away mid-answer, which some tests cause on purpose.
        with contextlib.suppress(OSError):
            handler(Exchange(request, sock, self))


def _read_request(sock: socket.socket) -> Optional[RecordedRequest]:
    sock.settimeout(STOP_TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            return None
        body += piece
    return RecordedRequest(method, path, headers, body)
