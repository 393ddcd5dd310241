# SPDX-License-Identifier: Apache-2.0
# A minimal LSP client over stdio for driving torch-clangd as an editor would.
"""Starts a language server, frames JSON-RPC messages, and waits with deadlines.

Used by the clangd lit tests and by bench/clangd_latency.py. Every wait is
bounded; the server is always killed when the `with` block ends.
"""
import collections
import json
import os
import queue
import subprocess
import threading
import time
import urllib.parse
import urllib.request


class LspError(Exception):
    pass


class Stamp(collections.namedtuple("Stamp", "wall cpu")):
    """When a message arrived: monotonic seconds and the server's CPU seconds."""


def path_to_uri(path):
    return "file://" + urllib.request.pathname2url(os.path.abspath(path))


def uri_to_path(uri):
    return urllib.request.url2pathname(urllib.parse.urlparse(uri).path)


def _utf16_offset(line, character):
    """The index into `line` of LSP `character` (UTF-16 code units)."""
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def position_to_offset(text, position):
    lines = text.splitlines(keepends=True)
    line = position["line"]
    if line >= len(lines):
        return len(text)
    start = sum(len(l) for l in lines[:line])
    return start + _utf16_offset(lines[line], position["character"])


def apply_text_edits(text, edits):
    """Applies LSP TextEdits (non-overlapping, positions in the original text)."""
    spans = []
    for edit in edits:
        begin = position_to_offset(text, edit["range"]["start"])
        end = position_to_offset(text, edit["range"]["end"])
        spans.append((begin, end, edit["newText"]))
    for begin, end, new_text in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:begin] + new_text + text[end:]
    return text


def workspace_edit_for(edit, uri):
    """The TextEdits a WorkspaceEdit makes to `uri` (`changes` or `documentChanges`)."""
    edits = list(edit.get("changes", {}).get(uri, []))
    for change in edit.get("documentChanges", []):
        if change.get("textDocument", {}).get("uri") == uri:
            edits.extend(change["edits"])
    return edits


class LspServer:
    """A language server subprocess speaking LSP over stdin/stdout."""

    def __init__(self, argv, cwd=None, env=None, stderr_path=os.devnull):
        self.argv = argv
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr)
        self._next_id = 0
        self._messages = queue.Queue()
        self._pending = []
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- framing --------------------------------------------------------------

    def _read_loop(self):
        stream = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    header = stream.readline()
                    if not header:
                        raise EOFError
                    header = header.strip()
                    if not header:
                        break
                    name, _, value = header.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                if length is None:
                    raise LspError("message without Content-Length")
                body = stream.read(length)
                if len(body) < length:
                    raise EOFError
                self._messages.put((self.stamp(), json.loads(body)))
        except (EOFError, ValueError, OSError, LspError) as err:
            self._messages.put((self.stamp(), {"__eof__": repr(err)}))

    def _send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode("utf-8")
        with self._write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _next(self, deadline):
        """The next message (Stamp received, message) from the server."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LspError("timed out")
        try:
            received, message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise LspError("timed out") from None
        if "__eof__" in message:
            raise LspError("server exited (%s), status %s" % (message["__eof__"], self.proc.poll()))
        if "method" in message and "id" in message:
            # A request from the server (workDoneProgress/create, configuration...).
            self._send({"id": message["id"], "result": None})
        return received, message

    # -- API ------------------------------------------------------------------

    def stamp(self):
        """Now, with the user+system CPU seconds of the server so far (all threads)."""
        cpu = None
        try:
            with open("/proc/%d/stat" % self.proc.pid) as stat:
                fields = stat.read().rpartition(")")[2].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
        return Stamp(time.monotonic(), cpu)

    def notify(self, method, params):
        self._send({"method": method, "params": params})

    def request(self, method, params, timeout=30):
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            received, message = self._next(deadline)
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise LspError("%s failed: %s" % (method, message["error"]))
                return message.get("result")
            self._pending.append((received, message))

    def wait_notification(self, method, predicate=lambda params: True, timeout=30):
        """The first `method` notification satisfying `predicate`: (Stamp, params)."""
        for index, (received, message) in enumerate(self._pending):
            if message.get("method") == method and predicate(message.get("params")):
                del self._pending[index]
                return received, message["params"]
        deadline = time.monotonic() + timeout
        while True:
            try:
                received, message = self._next(deadline)
            except LspError as err:
                raise LspError("waiting for %s: %s" % (method, err)) from None
            if message.get("method") == method and predicate(message.get("params")):
                return received, message["params"]
            self._pending.append((received, message))

    def initialize(self, root, capabilities=None, timeout=60):
        caps = {
            "textDocument": {
                "publishDiagnostics": {"relatedInformation": True,
                                       "versionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["quickfix", "refactor", "info"]}}},
                "synchronization": {"didSave": True},
            },
            "workspace": {"workspaceEdit": {"documentChanges": True},
                          "workDoneProgress": False},
            "window": {"workDoneProgress": False},
        }
        caps.update(capabilities or {})
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": path_to_uri(root),
            "capabilities": caps,
        }, timeout=timeout)
        self.notify("initialized", {})
        return result

    def did_open(self, path, text, version=1, language="cpp"):
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path_to_uri(path), "languageId": language, "version": version,
            "text": text}})

    def did_change(self, path, text, version):
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": path_to_uri(path), "version": version},
            "contentChanges": [{"text": text}]})

    def did_close(self, path):
        self.notify("textDocument/didClose", {"textDocument": {"uri": path_to_uri(path)}})

    def wait_diagnostics(self, path, version, timeout=60):
        """(Stamp received, diagnostics) of the publishDiagnostics for `version`."""
        uri = path_to_uri(path)
        received, params = self.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and p.get("version") == version, timeout)
        return received, params["diagnostics"]

    def close(self, timeout=5):
        """Asks the server to shut down, then kills it if it lingers."""
        try:
            if self.proc.poll() is None:
                try:
                    self.request("shutdown", None, timeout=timeout)
                    self.notify("exit", None)
                except (LspError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._stderr.close()
