"""A headless Chromium driven over the DevTools protocol on a pipe: navigate, click, submit, read.

Why not ``--dump-dom`` (what the report's browser test uses): a Datasette test must act on the
page as a reader does (click a facet, type in the search box and submit) and read what the next
page shows.  ``--remote-debugging-pipe`` needs no port and no extra package: Chromium reads
NUL-terminated JSON commands on its fd 3 and writes replies and events on its fd 4.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

TIMEOUT_S = 30.0


def _high(fd: int) -> int:
    """``fd`` moved to a number of 10 or more (the old one closed)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Chromium:
    """One headless Chromium with one page; ``with Chromium(path) as page: page.goto(url)``."""

    def __init__(self, browser: str, window: tuple[int, int] = (1280, 1600)) -> None:
        self.profile = tempfile.mkdtemp(prefix="pinghu-cdp-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()
        # Above 4, so that putting one end on fd 3 cannot overwrite the other (pytest holds low fds),
        # and closed on exec: Chromium keeps only the copies on 3 and 4.
        cmd_r, res_w = (_high(fd) for fd in (cmd_r, res_w))
        args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "--no-first-run",
                "--no-default-browser-check", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--window-size={window[0]},{window[1]}", "about:blank"]

        def onto_3_and_4() -> None:  # in the child, before exec: dup2 leaves 3 and 4 open across it
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        # close_fds=False: Python's own descriptors are not inheritable anyway (PEP 446), and closing
        # the others would close 3 and 4 again.
        self.proc = subprocess.Popen(args, preexec_fn=onto_3_and_4, close_fds=False,  # noqa: PLW1509
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            os.close(self._cmd_w)
            os.close(self._res_r)
        except OSError:
            pass
        self.proc.kill()
        self.proc.wait(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._res_r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._res_r, 1 << 16)
            if not chunk:
                self.proc.kill()
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"chromium closed its DevTools pipe: {err[-2000:]}")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events read meanwhile are kept in ``events``."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _wait_load(self) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._message(deadline))

    def _navigating(self, action: Any) -> None:
        self.events.clear()
        action()
        self._wait_load()

    def goto(self, url: str) -> None:
        self._navigating(lambda: self.call("Page.navigate", session=True, url=url))

    def js(self, expression: str) -> Any:
        """The value of ``expression`` in the page (JSON-serialisable values only)."""
        res = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the element ``selector`` names, as a reader would, and wait for the page it opens."""
        self._navigating(lambda: self.js(f"document.querySelector({json.dumps(selector)}).click()"))

    def submit(self, selector: str, text: str) -> None:
        """Type ``text`` into the input ``selector`` and submit its form; wait for the result page."""
        script = (f"(() => {{ const i = document.querySelector({json.dumps(selector)}); i.value = {json.dumps(text)};"
                  " i.form.requestSubmit(); })()")
        self._navigating(lambda: self.js(script))

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
