"""Small JSON-over-HTTP calls to the daemons on 127.0.0.1 (stdlib urllib, no proxy)."""

import json
import urllib.error
import urllib.request

# The machine's http_proxy must never see loopback requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method, url, body=None, headers=None, timeout=10):
    """(status, body text); HTTP errors are answers too. A connection error raises OSError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def get_json(url, headers=None, timeout=10):
    """The parsed body of a 200 answer; None when the daemon is not answering or not 200."""
    try:
        status, text = request("GET", url, headers=headers, timeout=timeout)
    except OSError:
        return None
    if status != 200:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def status_of(url, timeout=5):
    """The HTTP status of a GET, 0 when nothing answers."""
    try:
        return request("GET", url, timeout=timeout)[0]
    except OSError:
        return 0
