"""An HTTP server of the sandbox answering on a daemon thread: what each platform's sandbox
server shares (started on construction, `.url`, `.port`, `.stop()`)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BackgroundServer:
    """Starts serving when constructed: a subclass sets the state its handler reads first,
    then calls ``super().__init__``."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str, port: int, name: str
    ) -> None:
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
