"""Start and stop ``python -m wsus_emulator`` subprocesses (by pid) and talk to their control API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from wsusclient import Client

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR_SRC = os.path.join(REPO, "emulator")
CATALOG = os.path.join(HERE, "fixtures", "catalog")


class Emulator:
    """A running ``python -m wsus_emulator`` subprocess and its control API."""

    def __init__(self, args, catalog=CATALOG, env=None):
        command = [sys.executable, "-m", "wsus_emulator", "--host", "127.0.0.1"]
        if "--port" not in args:
            command += ["--port", "0"]
        if catalog:
            command += ["--catalog-dir", catalog]
        command += [str(arg) for arg in args]
        environment = dict(os.environ)
        environment["PYTHONPATH"] = EMULATOR_SRC + os.pathsep + environment.get("PYTHONPATH", "")
        environment.update(env or {})
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.stderr, env=environment)
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(10)
            self.stderr.seek(0)
            raise RuntimeError("the emulator did not start: %s" % self.stderr.read().decode())
        self.info = json.loads(line)
        self.pid = self.info["pid"]
        self.urls = self.info["urls"]
        self.ports = self.info["ports"]
        self.port = self.ports[0]
        self.url = self.urls[0]
        self.ca_path = self.info["ca_path"]

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def control(self, method, path, payload=None, index=0, expect=200):
        scheme = "https" if self.urls[index].startswith("https") else "http"
        url = "%s://127.0.0.1:%d/_emulator/%s" % (scheme, self.ports[index], path)
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        context = None
        if scheme == "https":
            import ssl

            context = ssl.create_default_context(cafile=self.ca_path)
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        assert status == expect, "control %s %s: HTTP %d %s" % (method, path, status, body[:500])
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace")

    def state(self, index=0):
        return self.control("GET", "state", index=index)

    def requests(self, index=0):
        return self.control("GET", "requests", index=index)

    def clear_requests(self, index=0):
        return self.control("DELETE", "requests", index=index)

    def faults(self, rules, index=0):
        return self.control("POST", "faults", rules, index=index)

    def reset(self, index=0):
        return self.control("POST", "reset", {}, index=index)

    def client(self, username="WSUS\\admin", index=0, **kwargs):
        kwargs.setdefault("ca_path", self.ca_path)
        return Client(self.urls[index], username, **kwargs)

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode
