"""Requests to the daemon over HTTP on 127.0.0.1, each answer held to the spec (Contract) and
to the status the scenario expects."""

import gzip
import http.client
import socket

BAD_TOKEN = "upk_" + "A" * 43  # the shape of a token, in no tokens file


class Answer:
    def __init__(self, status, headers, raw, body):
        self.status = status
        self.headers = headers
        self.raw = raw  # the bytes as sent (gzip undone)
        self.body = body  # parsed: JSON, text, or None

    def __getitem__(self, key):
        return self.body[key]

    def code(self):
        return self.body["error"]["code"]


class Api:
    def __init__(self, contract, port, admin, metrics):
        self.contract = contract
        self.port = port
        self.admin = admin
        self.metrics = metrics

    def call(self, method, target, expect, token=None, body=None, headers=None, chunked=False,
             spec_method=None, code=None):
        """`expect` is the status (or a tuple of those) the scenario expects; `target` the
        path and query; `token` None (no credential), "admin", "metrics",
        "bad" or a literal; `spec_method` for a 405: the method whose operation documents it;
        `code` the error code expected."""
        path = target.split("?", 1)[0]
        request_headers = dict(headers or {})
        credential = {"admin": self.admin, "metrics": self.metrics, "bad": BAD_TOKEN}.get(
            token, token)
        if credential:
            request_headers["Authorization"] = "Bearer " + credential
        payload = body.encode() if isinstance(body, str) else body
        if chunked:
            status, response_headers, raw = self._chunked(method, target, request_headers,
                                                          payload)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.request(method, target, body=payload, headers=request_headers)
                response = connection.getresponse()
                raw = response.read()
                response_headers = response.headers
                status = response.status
            finally:
                connection.close()
        if response_headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        where = f"{method} {target}"
        expected = expect if isinstance(expect, tuple) else (expect,)
        if status not in expected:
            raise AssertionError(f"{where}: expected {expect}, got {status}: {raw[:1000]!r}")
        parsed = self.contract.check(method, path, status, response_headers, raw,
                                     path_for_405=spec_method)
        answer = Answer(status, response_headers, raw, parsed)
        if code is not None and (not isinstance(parsed, dict) or answer.code() != code):
            raise AssertionError(f"{where}: expected error code {code}, got {raw[:500]!r}")
        return answer

    def _chunked(self, method, target, headers, payload):
        """A request with a chunked body, sent whole before the answer is read (the server
        answers and closes without reading it)."""
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        request += f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(request)
            response = http.client.HTTPResponse(sock, method=method)
            response.begin()
            return response.status, response.headers, response.read()

    # Shorthands for the admin API.
    def get(self, target, expect=200, code=None, token="admin"):
        return self.call("GET", target, expect, token=token, code=code)

    def head(self, target, expect=200, token="admin"):
        return self.call("HEAD", target, expect, token=token)

    def execute(self, query="", body=None, expect=200, code=None):
        return self.call("POST", "/api/system/update/execute" + query, expect, token="admin",
                         body=body, code=code)
