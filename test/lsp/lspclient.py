"""A minimal LSP client over a server's stdio (Content-Length framing), for mmlc-lsp's
robustness test and bench/lsp: requests with replies, notifications, waits with timeouts."""
import json
import os
import queue
import subprocess
import threading
import time


class ServerDied(Exception):
    pass


class Client:
    def __init__(self, cmd, cwd=None):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=cwd)
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        """Sends a request; returns its id (wait for the reply with wait_reply)."""
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def wait(self, match, timeout):
        """The first message for which match(msg) holds; others are dropped. Raises TimeoutError
        (the server hangs) or ServerDied (it exited)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError
            if msg is None:
                raise ServerDied(f"exit status {self.proc.wait()}")
            if match(msg):
                return msg

    def wait_reply(self, rid, timeout):
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def call(self, method, params, timeout=20):
        return self.wait_reply(self.request(method, params), timeout)

    def wait_diagnostics(self, uri, version, timeout=20):
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") == version,
                         timeout)

    def initialize(self, root):
        self.call("initialize", {"processId": os.getpid(), "rootUri": "file://" + root,
                                 "capabilities": {}})
        self.notify("initialized", {})

    def close(self, timeout=20):
        """shutdown + exit; returns the server's exit status."""
        self.call("shutdown", None, timeout)
        self.notify("exit", None)
        self.proc.stdin.close()
        return self.proc.wait(timeout)
