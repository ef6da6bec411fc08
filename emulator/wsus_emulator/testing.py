"""Start and stop wsus_emulator processes for tests (by pid, never by name)."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import urllib.request


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server that must keep its port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmulatorProcess:
    """A running emulator: ``urls``, ``ports``, ``ca_path``, ``pid``, and the control API."""

    def __init__(self, args=(), env=None):
        command = [sys.executable, "-m", "wsus_emulator", "--host", "127.0.0.1", "--port", "0", "--control"]
        command += [str(arg) for arg in args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=dict(os.environ, **(env or {})))
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("the emulator did not start: %s" % self.process.stderr.read())
        self.info = json.loads(line)
        self.pid = self.info["pid"]
        self.urls = self.info["urls"]
        self.ports = self.info["ports"]
        self.port = self.ports[0]
        self.ca_path = self.info.get("ca_path")

    def control_url(self, path, index=0):
        scheme = "https" if self.urls[index].startswith("https:") else "http"
        return "%s://127.0.0.1:%d/_emulator/%s" % (scheme, self.ports[index], path)

    def control(self, method, path, payload=None, index=0):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.control_url(path, index), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ca_path) if self.ca_path else None
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            body = response.read()
        return json.loads(body) if body else None

    def requests(self, index=0):
        """The request log: [{operation, user, http_status}, ...]."""
        return self.control("GET", "requests", index=index)

    def operations(self, index=0):
        return [entry["operation"] for entry in self.requests(index)]

    def clear_requests(self, index=0):
        self.control("DELETE", "requests", index=index)

    def state(self, index=0):
        return self.control("GET", "state", index=index)

    def faults(self, rules, index=0):
        return self.control("POST", "faults", rules, index=index)

    def reset(self, index=0):
        return self.control("POST", "reset", {}, index=index)

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
