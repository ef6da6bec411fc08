"""Restart a WSUS emulator in place, for the fault suite's "server restarted mid-play" case.

    restart_emulator.py --pid PID --pid-file FILE [--log FILE] -- <wsus_emulator arguments>

SIGTERMs the running emulator PID, then starts ``python -m wsus_emulator <arguments>`` detached (own
session, no pipes back to this script) with the same port and ``--state-dir``, retrying while the old
process still holds the port. Writes the new emulator's pid to FILE (so the test can stop it by pid)
and prints the emulator's start line. Exits 0 once the new emulator listens, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pid", type=int, required=True, help="pid of the emulator to stop")
    parser.add_argument("--pid-file", required=True, help="where to write the new emulator's pid")
    parser.add_argument("--log", help="file for the new emulator's stdout and stderr (default: beside --pid-file)")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("emulator_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    emulator_args = [arg for arg in args.emulator_args if arg != "--"]
    log = args.log or args.pid_file + ".log"

    try:
        os.kill(args.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "wsus_emulator", *emulator_args],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        while process.poll() is None and time.monotonic() < deadline:
            line = _start_line(log)
            if line is not None:
                with open(args.pid_file, "w") as handle:
                    handle.write("%d\n" % process.pid)
                print(json.dumps(line))
                return 0
            time.sleep(0.05)
        if process.poll() is None:  # still starting at the deadline: give up on it
            process.kill()
            break
        time.sleep(0.2)  # it exited: most likely the old emulator still holds the port
    sys.stderr.write("the emulator did not restart; its output:\n")
    with open(log, errors="replace") as handle:
        sys.stderr.write(handle.read())
    return 1


def _start_line(path):
    with open(path, errors="replace") as handle:
        for text in handle:
            text = text.strip()
            if text.startswith("{") and text.endswith("}"):
                try:
                    return json.loads(text)
                except ValueError:
                    return None
    return None


if __name__ == "__main__":
    sys.exit(main())
