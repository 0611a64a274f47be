"""Property-based testing of the playbooks plugin's REST API with Schemathesis.

Starts the real server (with the real plugin) on a fresh data directory and
a free port, creates an admin, a team, a channel, a playbook and a run
through the API so real ids exist (handed to `hooks.py`), runs Schemathesis
over `plugin/api/openapi.yaml` with two checks — no 5xx, and every response
matching the document — then stops the server. Fails too when the server
log shows a plugin trap or panic, or the plugin is no longer running.

Usage: api_fuzz.py --server target/debug/host-shim [--max-examples N]
       [--max-time S] [--seed N] [schemathesis run options...]
       (run.sh sets this up)
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
API = "/plugins/playbooks/api/v0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.token = None

    def call(self, method, path, body=None, expect=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Requested-With", "XMLHttpRequest")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, raw = e.code, e.headers, e.read()
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status}: {raw[:500]!r}")
        return headers, (json.loads(raw) if raw else None)


def wait_until_up(client: Client, server: subprocess.Popen, seconds=180):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            client.call("GET", API + "/version")
            return
        except (OSError, RuntimeError):
            time.sleep(0.2)
    raise RuntimeError(f"the playbooks plugin did not answer within {seconds} s")


def seed(client: Client) -> dict:
    """Creates the objects the generated requests are pointed at."""
    password = "Fuzz-password-1"
    client.call("POST", "/api/v4/users",
                {"email": "admin@example.com", "username": "admin", "password": password})
    headers, me = client.call("POST", "/api/v4/users/login",
                              {"login_id": "admin", "password": password})
    client.token = headers["Token"]
    _, team = client.call("POST", "/api/v4/teams",
                          {"name": "fuzz", "display_name": "Fuzz", "type": "O"})
    _, channel = client.call("POST", "/api/v4/channels",
                             {"team_id": team["id"], "name": "fuzzing",
                              "display_name": "Fuzzing", "type": "O"})
    _, playbook = client.call("POST", API + "/playbooks", {
        "title": "Incident", "team_id": team["id"], "public": True,
        "checklists": [{"title": "Triage", "items": [{"title": "Assess"}, {"title": "Page"}]},
                       {"title": "Fix", "items": [{"title": "Patch", "command": "/echo hi"}]}],
        "metrics": [{"title": "Time to fix", "type": "metric_duration", "target": 60000}],
    })
    _, run = client.call("POST", API + "/runs", {
        "name": "Outage", "team_id": team["id"], "playbook_id": playbook["id"],
        "owner_user_id": me["id"],
    })
    return {
        "API_FUZZ_TEAM_ID": team["id"],
        "API_FUZZ_CHANNEL_ID": channel["id"],
        "API_FUZZ_RUN_CHANNEL_ID": run["channel_id"],
        "API_FUZZ_PLAYBOOK_ID": playbook["id"],
        "API_FUZZ_RUN_ID": run["id"],
        "API_FUZZ_USER_ID": me["id"],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--max-time", type=int, default=180)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work-dir", default=os.path.join(ROOT, "target", "api-fuzz"))
    # Anything else goes to `schemathesis run` (e.g. --include-path-regex).
    args, extra = parser.parse_known_args()

    os.makedirs(args.work_dir, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="api-fuzz-data-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(args.work_dir, "server.log")
    env = dict(os.environ, RUST_LOG="warn",
               HOST_SHIM_COMPONENT_CACHE_DIR=os.path.join(args.work_dir, "component-cache"))
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [args.server, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", data_dir],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    client = Client(base)
    try:
        wait_until_up(client, server)
        ids = seed(client)
        print("api-fuzz: server", base, "ids", json.dumps(ids), flush=True)
        report = os.path.join(args.work_dir, "cassette.yaml")
        command = [
            os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run",
            os.path.join(ROOT, "plugin", "api", "openapi.yaml"),
            "--url", base + API,
            "-H", "Authorization: Bearer " + client.token,
            "--checks", "not_a_server_error,response_schema_conformance",
            "--max-examples", str(args.max_examples),
            "--max-time", str(args.max_time),
            "--seed", str(args.seed),
            "--workers", "1",
            "--request-timeout", "20",
            "--suppress-health-check", "all",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--report", "vcr", "--report-vcr-path", report,
            *extra,
        ]
        env = dict(os.environ, **ids, SCHEMATHESIS_HOOKS="hooks",
                   PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
        started = time.time()
        result = subprocess.run(command, env=env, cwd=args.work_dir)
        print(f"api-fuzz: schemathesis took {time.time() - started:.0f} s, "
              f"{count_cases(report)} requests", flush=True)

        failures = []
        if result.returncode != 0:
            failures.append(f"schemathesis exited with {result.returncode}")
        try:
            client.call("GET", API + "/version")
        except (OSError, RuntimeError) as e:
            failures.append(f"the plugin no longer answers after the run: {e}")
        with open(log_path, errors="replace") as log:
            traps = [line.strip() for line in log
                     if re.search(r"panic|trap|FailedToStayRunning", line, re.I)]
        if traps:
            failures.append("the server log shows plugin traps:\n  " + "\n  ".join(traps[:20]))
        for failure in failures:
            print("api-fuzz: FAILED:", failure, file=sys.stderr)
        return 1 if failures else 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def count_cases(report: str) -> int:
    """Requests Schemathesis sent, from its VCR cassette."""
    try:
        with open(report) as f:
            text = f.read()
    except OSError:
        return 0
    return len(re.findall(r"^\s+uri: '", text, re.M))


if __name__ == "__main__":
    sys.exit(main())
