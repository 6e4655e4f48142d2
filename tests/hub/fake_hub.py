"""A local HTTP server that answers the Hub's upload API as huggingface_hub calls it (create repo,
validate YAML, preupload, NDJSON commit) and records every request, so a push can be tested offline."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAKE_COMMIT = "fedcba9876543210fedcba9876543210fedcba98"


@dataclass
class RecordedCommit:
    repo_id: str
    revision: str
    summary: str
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class FakeHub:
    url: str
    created: list[dict] = field(default_factory=list)
    commits: list[RecordedCommit] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    refuse_with: int | None = None  # answer every request with this status (401, 403, ...)


def _handler(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hub.authorizations.append(self.headers.get("Authorization", ""))
            if hub.refuse_with:
                return self._answer(hub.refuse_with, {"error": "refused by the fake Hub"})
            parts = self.path.split("?")[0].strip("/").split("/")
            if self.path.startswith("/api/repos/create"):
                payload = json.loads(body)
                hub.created.append(payload)
                repo_id = f"{payload['organization']}/{payload['name']}"
                return self._answer(200, {"url": f"{hub.url}/{repo_id}", "name": repo_id, "id": repo_id})
            if self.path.startswith("/api/validate-yaml"):
                return self._answer(200, {"errors": [], "warnings": []})
            # /api/models/<owner>/<name>/preupload/<revision> and .../commit/<revision>
            if len(parts) == 6 and parts[:2] == ["api", "models"] and parts[4] == "preupload":
                files = json.loads(body)["files"]
                return self._answer(200, {"files": [
                    {"path": item["path"], "uploadMode": "regular", "shouldIgnore": False} for item in files
                ]})
            if len(parts) == 6 and parts[:2] == ["api", "models"] and parts[4] == "commit":
                lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
                header = next(line["value"] for line in lines if line["key"] == "header")
                commit = RecordedCommit(repo_id=f"{parts[2]}/{parts[3]}", revision=parts[5], summary=header["summary"])
                for line in lines:
                    if line["key"] == "file":
                        value = line["value"]
                        content = value["content"]
                        commit.files[value["path"]] = (
                            base64.b64decode(content) if value.get("encoding") == "base64" else content.encode()
                        )
                hub.commits.append(commit)
                return self._answer(200, {
                    "commitUrl": f"{hub.url}/{commit.repo_id}/commit/{FAKE_COMMIT}",
                    "commitOid": FAKE_COMMIT,
                })
            return self._answer(404, {"error": f"the fake Hub has no {self.path}"})

        def do_GET(self):
            return self._answer(404, {"error": f"the fake Hub has no {self.path}"})

    return Handler


def start_fake_hub() -> tuple[FakeHub, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    hub = FakeHub(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hub, server
