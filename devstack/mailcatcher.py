"""A local SMTP catcher for the demo: accepts every message and keeps it under var/mail/.

`python -m devstack.mailcatcher --port 8025 --dir var/mail`
"""

from __future__ import annotations

import argparse
import email
import email.policy
import logging
import time
from pathlib import Path

log = logging.getLogger("spendlens.mailcatcher")


class MailboxHandler:
    """aiosmtpd handler that writes each message to `<dir>/<time>-<n>.eml`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.count += 1
        path = self.directory / f"{time.strftime('%Y%m%dT%H%M%S')}-{self.count:05d}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        log.info("mail to %s: %s (%s)", ", ".join(envelope.rcpt_tos), message["Subject"], path.name)
        return "250 Message accepted for delivery"


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mailcatcher %(message)s")
    controller = Controller(MailboxHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    log.info("catching mail on %s:%d into %s", args.host, args.port, args.dir)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
