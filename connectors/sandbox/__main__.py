"""`python -m connectors.sandbox`: the sandbox platforms (one per registered platform) for the demo.

Prints (and with --env-file writes) the SPENDLENS_* variables that point Spendlens at them, and
serves a small control API: POST /restate (restate the recent past), POST /faults
{"account": "<external id>", "faults": ["rate_limit", ...]}, GET /accounts.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from connectors.sandbox.generator import World
from connectors.sandbox.runner import Sandbox, start_sandbox


def _control_server(sandbox: Sandbox, host: str, port: int) -> ThreadingHTTPServer:
    world = sandbox.world

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/accounts":
                self._answer(200, [a.__dict__ for a in world.accounts])
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/restate":
                self._answer(200, {"revision": world.restate()})
            elif self.path == "/faults":
                try:
                    world.set_faults(body["account"], body.get("faults", []))
                except (KeyError, ValueError) as exc:
                    self._answer(422, {"error": str(exc)})
                    return
                self._answer(200, {"account": body["account"], "faults": body.get("faults")})
            else:
                self._answer(404, {"error": "not found"})

        def log_message(self, fmt: str, *args: object) -> None:
            logging.getLogger("sandbox.control").debug(fmt, *args)

    server = ThreadingHTTPServer((host, port), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--env-file", type=Path, help="Write the SPENDLENS_* variables here.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(message)s")
    sandbox = start_sandbox(World(seed=args.seed), host=args.host)
    control = _control_server(sandbox, args.host, args.control_port)
    env = {
        **sandbox.environment(),
        "SPENDLENS_SANDBOX_CONTROL_URL": f"http://{args.host}:{control.server_port}",
    }
    lines = "\n".join(f"{k}={v}" for k, v in env.items()) + "\n"
    if args.env_file:
        tmp = args.env_file.with_suffix(".tmp")
        tmp.write_text(lines)
        tmp.replace(args.env_file)
    print(lines, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        control.shutdown()
        sandbox.stop()


if __name__ == "__main__":
    main()
