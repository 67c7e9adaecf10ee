"""The calls of the contract test, in order: the public paths, access control, malformed
requests, then the update API through every state it answers from (each answer is held to the
spec by Api.call)."""

import json

CHECK = "/api/system/update/check"
EXECUTE = "/api/system/update/execute"
STATUS = "/api/system/update/status"
HISTORY = "/api/system/update/history"
HEALTH = "/api/system/health"
SPEC = "/api/openapi.yaml"
UNKNOWN_ID = "20200101T000000Z-0123abcd"
# A history line recorded as refused: upkeep writes none, a hand-edited file may hold one, and
# the history and the status then answer it with an error member.
REFUSED_ID = "20200102T030405Z-00c0ffee"


def first_snapshot(api, fixture):
    """/-/ready answers 503 until the sampler has published its first snapshot."""
    fixture.wait_until("/-/ready", lambda: api.call("GET", "/-/ready", (200, 503)).status == 200)


def public_paths(api, contract):
    for path, text in (("/", "<h1>upkeep</h1>"), ("/-/healthy", "healthy"), (SPEC, "openapi:")):
        answer = api.call("GET", path, 200)
        assert text in answer.body, f"GET {path}: {answer.body[:200]!r}"
        api.call("HEAD", path, 200)
        api.call("POST", path, 405, spec_method="GET", code="method_not_allowed")
    api.call("DELETE", "/-/healthy", 405, spec_method="GET", code="method_not_allowed")
    assert api.call("GET", SPEC, 200).raw == contract.raw, "the served spec is not docs/openapi.yaml"
    assert 'href="/api/openapi.yaml"' in api.call("GET", "/", 200).body, "no link to the spec"
    api.call("GET", "/-/ready", 200)
    api.call("HEAD", "/-/ready", 200)
    api.call("PUT", "/-/ready", 405, spec_method="GET", code="method_not_allowed")


def metrics(api):
    # auth.metrics: token.
    api.call("GET", "/metrics", 401, code="unauthorized")
    api.call("GET", "/metrics", 401, token="bad", code="unauthorized")
    api.call("HEAD", "/metrics", 401)
    plain = api.call("GET", "/metrics", 200, token="metrics")
    assert "upkeep_" in plain.body and plain.headers.get("Content-Encoding") is None
    zipped = api.call("GET", "/metrics", 200, token="metrics", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "upkeep_" in zipped.body
    api.call("GET", "/metrics", 200, token="admin")
    api.call("HEAD", "/metrics", 200, token="metrics")
    api.call("POST", "/metrics", 405, token="metrics", spec_method="GET",
             code="method_not_allowed")


# Every admin operation: the method, the path, the method that is not allowed there.
ADMIN_OPERATIONS = (("GET", HEALTH, "POST"), ("HEAD", HEALTH, None), ("GET", CHECK, "DELETE"),
                    ("HEAD", CHECK, None), ("POST", EXECUTE, "GET"), ("GET", STATUS, "PUT"),
                    ("HEAD", STATUS, None), ("GET", HISTORY, "PATCH"), ("HEAD", HISTORY, None))


def access_control(api):
    for method, path, wrong in ADMIN_OPERATIONS:
        code = None if method == "HEAD" else "unauthorized"
        answer = api.call(method, path, 401, code=code)
        assert "Bearer" in answer.headers["WWW-Authenticate"]
        api.call(method, path, 401, token="bad", code=code)
        api.call(method, path, 403, token="metrics",
                 code=None if method == "HEAD" else "forbidden")
        if wrong:
            answer = api.call(wrong, path, 405, token="admin", spec_method=method,
                              code="method_not_allowed")
            assert method in answer.headers["Allow"]
    api.call("HEAD", EXECUTE, 405, token="admin", spec_method="POST")


def malformed_requests(api):
    for target in (CHECK + "?refresh=maybe", CHECK + "?refresh=true&refresh=true",
                   CHECK + "?force=1", STATUS + "?id", STATUS + "?name=x",
                   HISTORY + "?limit=0", HISTORY + "?limit=501", HISTORY + "?limit=ten"):
        api.get(target, 400, code="invalid_query")
    api.head(CHECK + "?refresh=maybe", 400)
    api.head(HISTORY + "?limit=0", 400)
    api.head(STATUS + "?x=1", 400)
    api.execute("?async=maybe", expect=400, code="invalid_query")
    api.execute("?now=1", expect=400, code="invalid_query")
    for body in ("not json", "[true]", '{"dryRun": "yes"}', '{"dryRun": true, "force": true}',
                 '{"dryRun": true, "dryRun": false}'):
        api.execute(body=body, expect=400, code="invalid_body")
    api.execute(body="x" * 4097, expect=413, code="body_too_large")
    api.call("POST", EXECUTE, 411, token="admin", body='{"dryRun": true}', chunked=True,
             code="length_required")


def nothing_ran_yet(api):
    api.get(STATUS, 404, code="not_found")
    api.head(STATUS, 404)
    for bad_id in ("../etc", "20200101T000000Z-0123ABCD", UNKNOWN_ID):
        api.get(f"{STATUS}?id={bad_id}", 404, code="not_found")
    history = api.get(HISTORY)
    assert history.body == {"entries": [], "skippedLines": 0}, history.body
    api.head(HISTORY)


def health(api):
    api.head(HEALTH)
    # The second filesystem is not a mount: its collector reports it, its numbers are null.
    answer = api.get(HEALTH)
    assert answer["collectors"]["filesystem"]["success"] is False, answer.body
    assert answer["disks"][1]["error"] is True and answer["disks"][1]["used"] is None
    assert answer["queue"]["source"] == "sqlite"


def check_and_dry_run(api):
    check = api.get(CHECK)
    assert check["updateAvailable"] and check["canUpdate"] and check["blockers"] == [], check.body
    assert check["latestVersion"] == "v1.1.0" and check["changelog"] == ["Release v1.1.0"]
    api.get(CHECK + "?refresh=true")
    api.head(CHECK + "?refresh=0")
    dry = api.execute(body='{"dryRun": true}')
    assert dry["dryRun"] is True and dry["updateId"] is None, dry.body
    assert dry["steps"] == [{"name": "build", "wouldRun": True},
                            {"name": "docs", "wouldRun": False}], dry.body
    # An empty object is the defaults: a real run, after which there is nothing new.
    assert api.execute(body="{}  ")["result"] == "success"
    assert api.execute()["result"] == "up_to_date"


def refusals_of_the_checkout(api, fixture):
    service = fixture.service
    fixture.write_as_nobody(service / "stray.txt", "not ignored\n")
    check = api.get(CHECK + "?refresh=1")
    assert check["dirty"] and check["blockers"] == ["dirty_worktree"], check.body
    api.execute(expect=409, code="dirty_worktree")
    dry = api.execute(body='{"dryRun": true}', expect=409, code="dirty_worktree")
    assert dry["dryRun"] is True, dry.body
    (service / "stray.txt").unlink()

    fixture.commit(service, "A local commit")
    api.execute(expect=409, code="diverged")
    assert api.get(CHECK + "?refresh=true")["blockers"] == ["diverged"]
    fixture.git(service, "reset", "--quiet", "--hard", "HEAD~1")

    fixture.git(service, "checkout", "--quiet", "--detach")
    api.execute(expect=409, code="detached_head")
    assert api.get(CHECK + "?refresh=true")["branch"] is None
    fixture.git(service, "checkout", "--quiet", "main")

    fixture.git(service, "checkout", "--quiet", "-b", "other")
    api.execute(expect=409, code="wrong_branch")
    fixture.git(service, "checkout", "--quiet", "main")
    fixture.git(service, "branch", "--quiet", "-D", "other")


def refusals_of_the_queue(api, fixture):
    fixture.queue("INSERT INTO jobs (id, name, status, progress, created_at, started_at) VALUES "
                  "(7, 'shot_010_comp', 'running', 0.5, '2026-05-01T10:00:00Z', "
                  "'2026-05-01T10:01:00Z')")
    busy = api.execute(expect=409, code="jobs_active")
    assert busy["activeJobs"] == 1 and busy["activeJob"]["name"] == "shot_010_comp", busy.body
    fixture.wait_until("the job in the health JSON",
                       lambda: api.get(HEALTH)["queue"]["activeJobs"] == 1)
    fixture.queue("DELETE FROM jobs")

    aside = fixture.queue_db.with_name("queue.db.aside")
    fixture.queue_db.rename(aside)
    api.execute(expect=409, code="queue_unknown")
    fixture.wait_until("a queue error in the health JSON",
                       lambda: "error" in api.get(HEALTH)["queue"])
    aside.rename(fixture.queue_db)
    fixture.wait_until("the queue back", lambda: "error" not in api.get(HEALTH)["queue"])


def refusals_of_the_repositories(api, fixture):
    aside = fixture.remote.with_name("remote.aside")
    fixture.remote.rename(aside)
    failed = api.get(CHECK + "?refresh=true", 502, code="fetch_failed")
    assert failed["last"]["remote"] == "origin", failed.body
    api.head(CHECK + "?refresh=true", 502)
    api.execute(expect=502, code="fetch_failed")
    aside.rename(fixture.remote)

    aside = fixture.service.with_name("service.aside")
    fixture.service.rename(aside)
    api.get(CHECK + "?refresh=true", 503, code="repo_unavailable")
    api.execute(expect=503, code="repo_unavailable")
    aside.rename(fixture.service)
    api.get(CHECK + "?refresh=true")


def runs(api, fixture):
    fixture.release("v1.2.0")
    done = api.execute()
    assert done["result"] == "success" and done["newVersion"] == "v1.2.0", done.body
    assert [step["state"] for step in done["steps"]] == ["ok", "skipped"], done.body
    up_to_date = api.execute()
    assert up_to_date["result"] == "up_to_date" and up_to_date["updateId"] is None

    fixture.release("v1.3.0")
    fixture.flag("fail")
    rolled_back = api.execute()
    assert rolled_back["result"] == "rolled_back" and rolled_back["success"] is False
    assert rolled_back["steps"][0]["state"] in ("failed", "rolled_back"), rolled_back.body
    fixture.flag("fail", False)


def status_when(api, fixture, location, condition):
    """Polls the run's status (each answer held to the spec) until `condition` holds."""
    answers = []

    def ready():
        answers.append(api.get(location))
        return condition(answers[-1])

    fixture.wait_until(f"{location} to satisfy the condition", ready)
    return answers[-1]


def asynchronous_run(api, fixture):
    fixture.flag("hold")
    accepted = api.execute("?async=true", expect=202)
    assert accepted["accepted"] is True and accepted["result"] is None, accepted.body
    location = accepted.headers["Location"]
    assert location == accepted["statusUrl"] == f"{STATUS}?id={accepted['updateId']}"
    running = status_when(api, fixture, location, lambda status: status["runningStep"] == "build")
    assert running["running"] is True and running["success"] is None, running.body
    assert api.get(STATUS)["updateId"] == accepted["updateId"]
    api.head(location)
    api.execute(expect=409, code="update_in_progress")
    assert "update_in_progress" in api.get(CHECK)["blockers"]
    fixture.flag("go")
    finished = status_when(api, fixture, location, lambda status: status["running"] is False)
    assert finished["result"] == "success" and finished["phase"] == "finished", finished.body
    fixture.flag("hold", False)
    fixture.flag("go", False)


def failed_rollback_and_resolve(api, fixture, config):
    fixture.release("v1.4.0")
    fixture.flag("fail")
    fixture.flag("rollback-fail")
    failed = api.execute()
    assert failed["result"] == "rollback_failed" and failed["newVersion"] is None, failed.body
    api.execute(expect=409, code="recovery_pending")
    pending = api.get(STATUS)
    assert pending["running"] is False and pending["phase"] == "rollback_failed", pending.body
    assert "recovery_pending" in api.get(CHECK)["blockers"]
    fixture.flag("fail", False)
    fixture.flag("rollback-fail", False)
    resolved = fixture.run_upkeep("update", "resolve", "--config", config)
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert api.execute()["result"] == "up_to_date"  # no longer pending; HEAD stayed at v1.4.0
    # Another run, so that the resolved one is answered from the history, not from memory.
    fixture.release("v1.5.0")
    assert api.execute()["result"] == "success"
    entry = api.get(f"{STATUS}?id={failed['updateId']}")
    assert entry["resolvedBy"] and entry["resolvedAt"], entry.body
    history = api.get(HISTORY + "?limit=500")
    assert any(item.get("resolvedBy") for item in history["entries"]), history.body


def refused_history_line(api, fixture):
    fixture.append_history(json.dumps({
        "id": REFUSED_ID, "who": "token:admin from 127.0.0.1", "fromRevision": "0" * 40,
        "toRevision": "1" * 40, "fromVersion": "v0.9.0", "toVersion": "v1.0.0",
        "result": "refused", "startedAt": "2020-01-02T03:04:05Z",
        "finishedAt": "2020-01-02T03:04:06Z", "steps": []}))
    newest = api.get(HISTORY + "?limit=1")["entries"][0]
    assert newest["updateId"] == REFUSED_ID and newest["error"]["code"], newest
    assert api.get(f"{STATUS}?id={REFUSED_ID}")["error"]["code"] == "internal_error"
    history = api.get(HISTORY)
    assert history["skippedLines"] == 0 and len(history["entries"]) >= 5, history.body


def without_update_section(bare_api):
    for method, target in (("GET", CHECK), ("HEAD", CHECK), ("POST", EXECUTE), ("GET", STATUS),
                           ("HEAD", STATUS), ("GET", HISTORY), ("HEAD", HISTORY)):
        bare_api.call(method, target, 503, token="admin",
                      code=None if method == "HEAD" else "update_not_configured")
    # auth.metrics: open.
    bare_api.call("GET", "/metrics", 200)
    bare_api.call("HEAD", "/metrics", 200)


def lockout(api):
    """Last: 401s from 127.0.0.1 until it is locked out (auth.max_failures), then 429 for
    every request that needs a credential, with the right one too."""
    for _ in range(41):
        answer = api.call("GET", HEALTH, (401, 429), token="bad")
        if answer.status == 401:
            continue
        assert answer.code() == "too_many_failures" and int(answer.headers["Retry-After"]) > 0
        api.call("HEAD", HEALTH, 429, token="admin")
        api.call("GET", CHECK, 429, token="admin", code="too_many_failures")
        api.call("GET", "/metrics", 429, token="metrics", code="too_many_failures")
        return
    raise AssertionError("no lockout after auth.max_failures failures")


def run_scenario(api, bare_api, fixture, contract, config):
    first_snapshot(api, fixture)
    first_snapshot(bare_api, fixture)
    public_paths(api, contract)
    metrics(api)
    access_control(api)
    malformed_requests(api)
    nothing_ran_yet(api)
    health(api)
    check_and_dry_run(api)
    refusals_of_the_checkout(api, fixture)
    refusals_of_the_queue(api, fixture)
    refusals_of_the_repositories(api, fixture)
    runs(api, fixture)
    asynchronous_run(api, fixture)
    failed_rollback_and_resolve(api, fixture, config)
    refused_history_line(api, fixture)
    without_update_section(bare_api)
    lockout(api)
