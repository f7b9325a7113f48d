#!/usr/bin/env python3
"""A stand-in for an OpenAI-compatible vision-language decoder, for AtlasQA's tests.

A real HTTP server on loopback that speaks POST /v1/chat/completions, streamed (SSE) and not. Each
request is answered by a script chosen by the request's model name (or an `X-Standin-Script` header):

  valid-citations     an answer citing [1] and [2] (in Chinese when the question is)
  invented-citations  cites [1] and numbers that name no reference ([7], [12])
  no-citations        plain sentences with no [n]
  absolute-wording    "definitely", "confirmed diagnosis" and cited claims
  box-tokens          <think>…</think> and <|begin_of_box|>…<|end_of_box|> around a cited answer,
                      plus reasoning_content; streamed in small pieces that split the tags
  length              finish_reason "length"
  sensitive           finish_reason "sensitive"
  empty               an empty content
  error-object        status 200 with an {"error": …} body
  http-500            status 500 with an error body
  timeout             waits (up to STANDIN_WAIT seconds) before sending anything
  stalled-stream      sends two pieces, then nothing
  malformed-json      a body (or stream chunk) that is not JSON
  reset-mid-stream    sends two pieces, then resets the connection
  stalled-body        (not streamed) sends the head and half of the JSON body, then nothing
  reset-mid-body      (not streamed) sends the head and half of the JSON body, then resets the connection
  slow-trickle        streams a piece every STANDIN_TRICKLE seconds for ever: never idle, never done
  malformed-sse       an event stream of lines that are not server-sent events, then the end
  broken-http         a status line that is not HTTP, then closes
  close-before-head   reads the request and closes the connection without answering
  by-question         the script named by "fault:<script>" in the question (one server, many faults)

Started with --blackhole it serves nothing: it listens with a full backlog and never accepts, so a
connection attempt hangs (as to a host that is down) until the client's connect timeout.

Every request is recorded; GET /_requests returns them as JSON ({"path", "headers", "body"}).
Started with --port 0 it prints the port it listens on as the first line of stdout. It exits when its
stdin closes, so a test run that dies leaves no server behind. Python's standard library only.
"""

import argparse
import json
import os
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WAIT_SECONDS = float(os.environ.get("STANDIN_WAIT", "30"))
TRICKLE_SECONDS = float(os.environ.get("STANDIN_TRICKLE", "0.2"))

ANSWERS = {
    "valid-citations": (
        "The duct is expanded by a solid proliferation of monotonous cells [1]. "
        "The nuclei are evenly spaced with crisp borders [2]. "
        "A pathologist should confirm these findings [1]."
    ),
    "valid-citations-zh": "导管被单一形态的细胞实性增生所扩张[1]。细胞核间距均匀，核膜清楚[2]。",
    "invented-citations": (
        "The duct is expanded by a solid proliferation of monotonous cells [1]. "
        "Comedo necrosis is always present in this lesion [7]. "
        "Calcifications are typical of the pattern [12]."
    ),
    "no-citations": (
        "The duct is expanded by a solid proliferation of monotonous cells. "
        "The nuclei are evenly spaced with crisp borders."
    ),
    "absolute-wording": (
        "This is definitely ductal carcinoma in situ [1]. "
        "The solid pattern is diagnostic of a high grade lesion [2]."
    ),
    "box-tokens": (
        "<think>The user asks about the duct. Reference 1 describes it.</think>"
        "<|begin_of_box|>The duct is expanded by a solid proliferation of monotonous cells [1].<|end_of_box|>"
    ),
    "length": "The duct is expanded by a solid proliferation of monotonous cells [1]. The nuclei are",
    "sensitive": "The duct is",
    "empty": "",
}
FINISH = {"length": "length", "sensitive": "sensitive"}
REASONING = {"box-tokens": "Thinking about which reference covers the duct."}

RECORDED = []
RECORDED_LOCK = threading.Lock()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout and stall tests) or a connection this server reset on purpose.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ValueError, OSError)):
            super().handle_error(request, client_address)


class StandIn(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # Recording

    def do_GET(self):
        if self.path == "/_requests":
            with RECORDED_LOCK:
                body = json.dumps(RECORDED).encode()
            self.send_whole(200, body)
        else:
            self.send_whole(404, b'{"error": {"message": "not found"}}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with RECORDED_LOCK:
            RECORDED.append({
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            })
        if not self.path.endswith("/chat/completions"):
            self.send_whole(404, b'{"error": {"message": "unknown route"}}')
            return
        model = body.get("model", "") if isinstance(body, dict) else ""
        script = self.headers.get("X-Standin-Script") or model
        stream = isinstance(body, dict) and bool(body.get("stream"))
        if script == "by-question":
            script = fault_named_in(body) or "valid-citations"
        try:
            self.answer(script, stream, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first: that is what some tests are about

    # Scripts

    def answer(self, script, stream, body):
        if script == "http-500":
            self.send_whole(500, b'{"error": {"message": "stand-in internal error", "type": "server_error"}}')
            return
        if script == "error-object":
            self.send_whole(200, b'{"error": {"message": "model is overloaded", "code": 503}}')
            return
        if script == "timeout":
            wait(WAIT_SECONDS)
            self.send_whole(200, completion("Too late [1].", "stop"))
            return
        if script in ("stalled-body", "reset-mid-body"):
            whole = completion(ANSWERS["valid-citations"], "stop")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(whole)))
            self.end_headers()
            self.wfile.write(whole[: len(whole) // 2])
            self.wfile.flush()
            if script == "stalled-body":
                wait(WAIT_SECONDS)
            else:
                self.reset()
            return
        if script == "slow-trickle":
            self.start_stream()
            end = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < end:
                self.send_event({"choices": [{"index": 0, "delta": {"content": "The duct "}, "finish_reason": None}]})
                wait(TRICKLE_SECONDS)
            return
        if script == "malformed-sse":
            self.start_stream()
            self.send_chunk(b"<html><body>502 Bad Gateway</body></html>\n")
            self.send_chunk(b"{not an event}\n\n")
            self.end_stream()
            return
        if script == "broken-http":
            self.wfile.write(b"HTTP/1.1 OK-ish\r\nthis is not a header line\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
            return
        if script == "close-before-head":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if script == "malformed-json":
            if stream:
                self.start_stream()
                self.send_chunk(b'data: {"choices": [{"delta": {"content": "The duct\n\n')
                self.end_stream()
            else:
                self.send_whole(200, b'{"choices": [{"message": {"content": "The duct is')
            return

        text = ANSWERS.get(script)
        if script == "valid-citations" and is_chinese(body):
            text = ANSWERS["valid-citations-zh"]
        if script in ("stalled-stream", "reset-mid-stream"):
            text = ANSWERS["valid-citations"]
        if text is None:
            self.send_whole(400, json.dumps({"error": {"message": f"stand-in has no script '{script}'"}}).encode())
            return
        finish = FINISH.get(script, "stop")
        reasoning = REASONING.get(script)
        if not stream:
            self.send_whole(200, completion(text, finish, reasoning))
            return

        self.start_stream()
        pieces = split(text, 5 if script == "box-tokens" else 12)
        if reasoning:
            self.send_event({"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": reasoning}}]})
        # A comment line, and one event spread over two data: lines, as the SSE format allows.
        self.send_chunk(b": keep-alive\n\n")
        first = json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
        self.send_chunk(("data: " + first[:10] + "\ndata: " + first[10:] + "\r\n\r\n").encode())
        for i, piece in enumerate(pieces):
            if script in ("stalled-stream", "reset-mid-stream") and i == 2:
                if script == "stalled-stream":
                    wait(WAIT_SECONDS)
                    return
                # Linux drops received-but-unread bytes when a RST arrives, so without a pause the client
                # may never see the pieces sent before the break. A model server that dies mid-answer has
                # usually been streaming for a while; 0.3 s stays well under the tests' 1 s idle timeout.
                time.sleep(0.3)
                self.reset()
                return
            self.send_event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            time.sleep(0.005)
        self.send_event({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        self.send_chunk(b"data: [DONE]\n\n")
        self.end_stream()

    # Wire

    def reset(self):
        # SO_LINGER with a zero timeout makes the close send RST instead of FIN. The socket closes only
        # when its file objects are closed too.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.wfile.close()
        self.rfile.close()
        self.connection.close()
        self.close_connection = True

    def send_whole(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def send_event(self, obj):
        self.send_chunk(("data: " + json.dumps(obj, ensure_ascii=False) + "\n\n").encode())

    def send_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def completion(text, finish, reasoning=None):
    message = {"role": "assistant", "content": text}
    if reasoning:
        message["reasoning_content"] = reasoning
    return json.dumps({
        "id": "chatcmpl-standin", "object": "chat.completion", "model": "standin",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }, ensure_ascii=False).encode()


def is_chinese(body):
    try:
        content = body["messages"][-1]["content"]
        text = "".join(p.get("text", "") for p in content) if isinstance(content, list) else content
        return "问题：" in text
    except (KeyError, IndexError, TypeError, AttributeError):
        return False


def fault_named_in(body):
    """The script named as "fault:<script>" anywhere in the request's messages."""
    try:
        text = json.dumps(body.get("messages", []), ensure_ascii=False)
    except (AttributeError, TypeError, ValueError):
        return None
    match = re.search(r"fault:([a-z0-9-]+)", text)
    return match.group(1) if match else None


def split(text, size):
    return [text[i:i + size] for i in range(0, len(text), size)]


def wait(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.05)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def blackhole(port, keep_running):
    """Listens and never accepts; the backlog is filled by our own connections, so the kernel drops new SYNs."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", port))
    listener.listen(0)
    fillers = []
    for _ in range(4):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(listener.getsockname())
        fillers.append(s)
    time.sleep(0.2)
    print(listener.getsockname()[1], flush=True)
    if keep_running:
        while True:
            time.sleep(3600)
    exit_when_stdin_closes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-running", action="store_true", help="do not exit when stdin closes")
    parser.add_argument("--blackhole", action="store_true", help="accept no connections (a host that is down)")
    args = parser.parse_args()
    if args.blackhole:
        blackhole(args.port, args.keep_running)
        return
    server = QuietServer(("127.0.0.1", args.port), StandIn)
    print(server.server_address[1], flush=True)
    if not args.keep_running:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
