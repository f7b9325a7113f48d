"""Drives AtlasQA's web page in headless Chromium through the DevTools protocol (Python's standard
library only: a minimal WebSocket client): attaches an image to the page's file input, types a question,
submits, waits for the streamed answer, and checks what a user would see — the answer with [n] citation
links, the support level, the references panel with thumbnails, the image shown in the question, no
script errors. Saves a screenshot. Run by Scripts/page-check; exits non-zero on failure."""

import argparse
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlparse


def say(message):
    print(f"page-check: {message}", file=sys.stderr)


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: masked text frames out, frames in."""

    def __init__(self, url):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the DevTools socket closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head[:200]!r}")
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("the DevTools socket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            data = self._read(n)
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the connection")
            if opcode == 0x9:  # ping
                continue
            message += data
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.errors = []

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.errors.append(details.get("exception", {}).get("description") or details.get("text"))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression[:60]!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, seconds, what):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.25)
        raise RuntimeError(f"timed out after {seconds} s waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--browser", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--question", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()

    port = free_port()
    profile = tempfile.mkdtemp(prefix="atlasqa-chromium-")
    browser = subprocess.Popen(
        [args.browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
         "--window-size=1280,1100", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        targets = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            raise RuntimeError("Chromium's DevTools endpoint did not come up")
        page = Page(targets[0]["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "DOM"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=1100, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=args.url)
        page.wait_for("document.readyState === 'complete' && !!document.querySelector('#ask-form')", 30, "the page to load")
        page.wait_for("/Atlas ready/.test(document.body.innerText)", 30, "the header to report the loaded index")
        say("ok — the page loaded and reports the index")

        # The user's way in: the file input behind the drop zone.
        root = page.call("DOM.getDocument")["root"]["nodeId"]
        node = page.call("DOM.querySelector", nodeId=root, selector="#file")["nodeId"]
        page.call("DOM.setFileInputFiles", nodeId=node, files=[os.path.abspath(args.image)])
        page.wait_for("!document.querySelector('#clear-image').hidden", 10, "the image to be attached")
        say("ok — the image is attached")
        page.evaluate(f"document.querySelector('#question').value = {json.dumps(args.question)}; "
                      "document.querySelector('#ask-form').requestSubmit(); true")
        # The answer is complete when its turn shows the support badge (the `done` event) or an error.
        page.wait_for("document.querySelector('.turn .meta .support') !== null || document.querySelector('.turn .a .error') !== null",
                      args.timeout, "the answer")
        state = page.evaluate("""(() => {
            const q = (s) => Array.from(document.querySelectorAll(s));
            return {
              error: q('.turn .a .error').map(e => e.textContent).join(' '),
              cites: q('a.cite').map(a => a.textContent),
              support: q('.turn .meta .support').map(e => e.className),
              refs: q('.ref-list > li').length,
              refTitles: q('.ref-list > li').slice(0, 3).map(li => li.innerText.split('\\n')[0]),
              thumbs: q('.ref-list img').filter(i => i.complete && i.naturalWidth > 0).length,
              questionImage: q('.turn .q img').some(i => i.complete && i.naturalWidth > 0),
              answer: (q('.turn .a').map(e => e.innerText).pop() || '').slice(0, 400),
            };
        })()""")
        # Thumbnails load after the answer: give them a moment.
        try:
            page.wait_for("Array.from(document.querySelectorAll('.ref-list img')).some(i => i.complete && i.naturalWidth > 0)",
                          20, "reference thumbnails")
            state["thumbs"] = page.evaluate("Array.from(document.querySelectorAll('.ref-list img')).filter(i => i.complete && i.naturalWidth > 0).length")
        except RuntimeError as e:
            failures.append(str(e))

        def check(condition, text):
            if condition:
                say(f"ok — {text}")
            else:
                failures.append(text)
                say(f"FAILED — {text}")

        check(not state["error"], f"no error shown ({state['error'][:200]})")
        check(len(state["cites"]) > 0, f"the answer has [n] citation links {state['cites'][:6]}")
        check(any(s.split()[-1] in ("strong", "moderate", "weak", "none") for s in state["support"]), f"the support level is shown {state['support']}")
        check(state["refs"] > 0, f"the references panel lists {state['refs']} passages: {state['refTitles']}")
        check(state["thumbs"] > 0, f"{state['thumbs']} reference thumbnails loaded")
        check(state["questionImage"], "the question shows the uploaded image")
        check(not page.errors, f"no script errors {page.errors[:3]}")

        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        say(f"screenshot saved to {args.screenshot}")
        say(f"answer begins: {state['answer'][:160]!r}")
    except Exception as e:  # noqa: BLE001 — any failure of the drive is a failed check
        failures.append(str(e))
        say(f"FAILED — {e}")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        subprocess.run(["rm", "-rf", profile], check=False)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
