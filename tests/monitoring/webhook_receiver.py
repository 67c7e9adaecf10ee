"""The test's webhook receiver: an HTTP server on 127.0.0.1 (port picked by the kernel) that
records every payload Alertmanager POSTs, with the path it was posted to, and answers 200."""

import http.server
import json
import threading


class WebhookReceiver:
    def __init__(self):
        self._lock = threading.Lock()
        self._payloads = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = {"unparsable": raw.decode("utf-8", "replace")}
                with receiver._lock:
                    receiver._payloads.append({"path": self.path, "payload": payload})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass  # the payloads are the record; no access log on stderr

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook",
                                        daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def url_for(self, receiver_name):
        """Each Alertmanager receiver posts to a path of its own, so a payload shows which
        receiver the route chose even apart from the payload's own `receiver` field."""
        return f"http://127.0.0.1:{self.port}/receiver/{receiver_name}"

    def payloads(self):
        with self._lock:
            return [dict(entry) for entry in self._payloads]

    def firing(self, alertname):
        """(path, payload, alert) for each firing alert of that name received so far."""
        found = []
        for entry in self.payloads():
            payload = entry["payload"]
            for alert in payload.get("alerts") or []:
                labels = alert.get("labels") or {}
                if labels.get("alertname") == alertname and alert.get("status") == "firing":
                    found.append((entry["path"], payload, alert))
        return found

    def summary(self):
        """One line per payload: path, receiver, status, and each alert's name and instance."""
        lines = []
        for entry in self.payloads():
            payload = entry["payload"]
            alerts = ", ".join(
                f"{(a.get('labels') or {}).get('alertname')}"
                f"@{(a.get('labels') or {}).get('instance')}:{a.get('status')}"
                for a in payload.get("alerts") or [])
            lines.append(f"  POST {entry['path']} receiver={payload.get('receiver')} "
                         f"status={payload.get('status')} alerts=[{alerts}]")
        return "\n".join(lines) if lines else "  (no payload received)"
