#!/usr/bin/python3
"""Lints the shipped Grafana dashboards: what makes them importable anywhere (the data source
is a variable, no host or job is baked in), readable (units, descriptions) and correct on any
scrape interval ($__rate_interval). With --promtool, every query (variables filled in) must also
parse as PromQL. --self-test breaks copies of the dashboards one way at a time and requires
the lint to catch each, so that a lint that silently passes everything fails the build.

Usage: dashboard_lint.py [--promtool PATH] [--provisioning YAML] [--self-test] DASHBOARD.json...
Exit 0 when clean; 1 with one line per problem.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Grafana 10.0 wrote schemaVersion 38, 10.4 and 11.0-11.2 write 39, 11.3 40, 11.5-11.6 41.
SCHEMA_VERSIONS = range(38, 42)
RATE_LIKE = ("rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear",
             "holt_winters", "double_exponential_smoothing")
BUILT_INS = {"__interval", "__interval_ms", "__rate_interval", "__rate_interval_ms", "__range",
             "__range_s", "__range_ms", "__from", "__to", "__now", "__dashboard", "__org",
             "__user", "__name", "__data", "__field", "__series", "__value", "__cell",
             "__url_time_range", "__timezone", "__all", "__auto"}
# Angular panels, gone in Grafana 11.
REMOVED_PANEL_TYPES = {"graph", "singlestat", "table-old", "grafana-piechart-panel",
                       "grafana-worldmap-panel"}

VARIABLE_REF = re.compile(r"\$\{(\w+)(?:[.:][^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
LABEL_MATCHER = re.compile(r"\b(job|instance)\s*(=~|!~|!=|=)\s*"
                           r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`)")
URL_PARAM = re.compile(r"\bvar-(job|instance)=([^&]*)")
HOST_PORT = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\blocalhost:\d+")
RATE_CALL = re.compile(r"\b(" + "|".join(RATE_LIKE) + r")\s*\(")
RANGE = re.compile(r"\[([^\]]*)\]")


def strings(node, path="$"):
    """Every string in the JSON document with a path saying where it is."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")


def all_panels(board):
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # a collapsed row keeps its panels inside


def call_argument(expr, open_paren):
    """The text between the parenthesis at `open_paren` and its match."""
    depth = 0
    for i in range(open_paren, len(expr)):
        if expr[i] == "(":
            depth += 1
        elif expr[i] == ")":
            depth -= 1
            if depth == 0:
                return expr[open_paren + 1:i]
    return expr[open_paren + 1:]


def rate_problems(expr):
    for call in RATE_CALL.finditer(expr):
        argument = call_argument(expr, call.end() - 1)
        ranges = RANGE.findall(argument)
        if not ranges:
            yield f"{call.group(1)}() without a range selector"
        for window in ranges:
            if window.strip() != "$__rate_interval":
                yield f"{call.group(1)}() over [{window}] instead of [$__rate_interval]"


class Lint:
    def __init__(self):
        self.problems = []

    def report(self, where, rule, message):
        self.problems.append(f"{where}: [{rule}] {message}")

    def dashboard(self, path, board):
        name = os.path.basename(path)
        if not isinstance(board, dict):
            self.report(name, "json", "not a JSON object")
            return
        if not isinstance(board.get("uid"), str) or not board["uid"]:
            self.report(name, "uid", "no uid")
        if board.get("schemaVersion") not in SCHEMA_VERSIONS:
            self.report(name, "schema", f"schemaVersion {board.get('schemaVersion')!r} is not "
                        f"Grafana 10/11's ({SCHEMA_VERSIONS.start}-{SCHEMA_VERSIONS.stop - 1})")
        variables = {v.get("name"): v for v in board.get("templating", {}).get("list", [])}
        self.variables(name, variables)
        self.panels(name, board, variables)
        self.references(name, board, variables)
        self.literals(name, board, variables)

    def variables(self, name, variables):
        source = variables.get("datasource", {})
        if source.get("type") != "datasource" or source.get("query") != "prometheus":
            self.report(name, "datasource", "no `datasource` variable of type prometheus")
        if "job" not in variables:
            self.report(name, "variables", "no `job` variable")
        for var in variables.values():
            if var.get("type") == "query" and var.get("datasource") != DATASOURCE:
                self.report(name, "datasource", f"variable {var['name']} does not query "
                            "${datasource}")
        instance = variables.get("instance")
        if instance and not any(m.group(0) in ("$job", "${job}")
                                for m in VARIABLE_REF.finditer(json.dumps(instance.get("query")))):
            self.report(name, "variables", "the instance variable does not depend on $job")

    def panels(self, name, board, variables):
        ids = set()
        for panel in all_panels(board):
            where = f"{name}: panel {panel.get('title')!r}"
            if panel.get("id") in ids:
                self.report(where, "ids", f"duplicate panel id {panel.get('id')}")
            ids.add(panel.get("id"))
            if "repeat" in panel:
                self.report(where, "layout", "repeated panel: use one table row per host")
            if panel.get("type") in REMOVED_PANEL_TYPES:
                self.report(where, "panel-type", f"{panel['type']} is an Angular panel")
            if panel.get("type") == "row":
                if "datasource" in panel and panel["datasource"] != DATASOURCE:
                    self.report(where, "datasource", "row with a fixed data source")
                continue
            if panel.get("datasource") != DATASOURCE:
                self.report(where, "datasource", f"panel datasource {panel.get('datasource')}")
            if not str(panel.get("description", "")).strip():
                self.report(where, "description", "no description")
            unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
            if not isinstance(unit, str) or not unit:
                self.report(where, "unit", "no fieldConfig.defaults.unit")
            targets = panel.get("targets") or []
            if not targets:
                self.report(where, "targets", "no query")
            joins = [t for t in panel.get("transformations", [])
                     if t.get("id") in ("merge", "joinByField")]
            if panel.get("type") == "table" and len(targets) > 1 and not joins:
                self.report(where, "table", "several queries but no merge transformation")
            for target in targets:
                self.target(f"{where} {target.get('refId')}", target, variables)
        self.layout(name, board)

    def target(self, where, target, variables):
        if target.get("datasource") != DATASOURCE:
            self.report(where, "datasource", f"target datasource {target.get('datasource')}")
        expr = target.get("expr", "")
        if not expr.strip():
            self.report(where, "targets", "empty expr")
        for problem in rate_problems(expr):
            self.report(where, "rate-interval", problem)
        referenced = {next(g for g in m.groups() if g) for m in VARIABLE_REF.finditer(expr)}
        for var in ("job", "instance"):
            if var in variables and var not in referenced:
                self.report(where, "filter", f"the query ignores ${var}")

    def layout(self, name, board):
        boxes = []
        for panel in board.get("panels", []):
            g = panel.get("gridPos", {})
            x, y, w, h = (g.get(k, -1) for k in ("x", "y", "w", "h"))
            if min(x, y) < 0 or w <= 0 or h <= 0 or x + w > 24:
                self.report(f"{name}: panel {panel.get('title')!r}", "layout", f"gridPos {g}")
                continue
            for other, (ox, oy, ow, oh) in boxes:
                if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                    self.report(f"{name}: panel {panel.get('title')!r}", "layout",
                                f"overlaps {other!r}")
            boxes.append((panel.get("title"), (x, y, w, h)))

    def references(self, name, board, variables):
        for where, text in strings(board):
            for match in VARIABLE_REF.finditer(text):
                var = next(group for group in match.groups() if group)
                if var not in variables and var not in BUILT_INS:
                    self.report(f"{name}: {where}", "variables", f"${var} is not defined")

    def literals(self, name, board, variables):
        for where, text in strings(board):
            for label, _, value in LABEL_MATCHER.findall(text):
                if value[1:-1] not in (f"${label}", f"${{{label}}}"):
                    self.report(f"{name}: {where}", "literal", f"{label} matched by {value}")
            for label, value in URL_PARAM.findall(text):
                if not value.startswith("$"):
                    self.report(f"{name}: {where}", "literal", f"var-{label}={value}")
            for host in HOST_PORT.findall(text):
                self.report(f"{name}: {where}", "literal", f"host {host}")
        for var in ("datasource", "job", "instance"):
            saved = variables.get(var, {})
            current = saved.get("current") or {}
            if saved.get("options") or current.get("value") not in (None, "$__all", ["$__all"]):
                self.report(name, "literal", f"the {var} variable saves a selection")

    def promql(self, boards, promtool):
        """Every target, variables filled in, through `promtool check rules` (offline)."""
        groups = []
        for name, board in boards:
            for panel in all_panels(board):
                for target in panel.get("targets") or []:
                    expr = fill_variables(target.get("expr", ""))
                    where = f"{name} / panel {panel.get('id')} {panel.get('title')}"
                    groups.append({"name": f"{where} / {target.get('refId')}",
                                   "rules": [{"record": "dashboard:query", "expr": expr}]})
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "queries.yml")
            with open(rules, "w") as f:
                yaml.safe_dump({"groups": groups}, f)
            run = subprocess.run([promtool, "check", "rules", rules], capture_output=True,
                                 text=True, check=False)
        if run.returncode != 0:
            self.report("promtool", "promql", (run.stdout + run.stderr).strip())


def provisioning_problems(path):
    """Grafana's file provider for the dashboards: the shape Grafana needs to load them."""
    try:
        with open(path, encoding="utf-8") as f:
            config = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        return [f"{path}: [provisioning] {error}"]
    config = config if isinstance(config, dict) else {}
    providers = config.get("providers")
    if config.get("apiVersion") != 1 or not isinstance(providers, list) or not providers:
        return [f"{path}: [provisioning] needs apiVersion: 1 and a providers list"]
    return [f"{path}: [provisioning] provider {p.get('name')!r} is not a file provider with a path"
            for p in providers
            if p.get("type") != "file" or not (p.get("options") or {}).get("path")]


def fill_variables(expr):
    for name, value in (("$__rate_interval", "1m"), ("$__interval", "1m"), ("$__range", "1h"),
                        ("${job}", ".+"), ("$job", ".+"), ("${instance}", ".+"),
                        ("$instance", ".+")):
        expr = expr.replace(name, value)
    return expr


def lint(paths, promtool=None):
    check = Lint()
    boards, uids = [], {}
    for path in paths:
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                board = json.load(f)
        except (OSError, ValueError) as error:
            check.report(name, "json", str(error))
            continue
        check.dashboard(path, board)
        if isinstance(board, dict):
            boards.append((name, board))
            uid = board.get("uid")
            if uid in uids:
                check.report(name, "uid", f"uid {uid!r} is also {uids[uid]}'s")
            uids[uid] = name
    if promtool and boards:
        check.promql(boards, promtool)
    return check.problems


# --- self-test: each mutation breaks one rule, and the lint must name that rule. ------------

def first_target(board, text=""):
    for panel in all_panels(board):
        for target in panel.get("targets") or []:
            if text in target.get("expr", ""):
                return panel, target
    raise LookupError(f"no target with {text!r}")


def first_panel(board):
    return next(p for p in all_panels(board) if p.get("type") != "row")


def set_expr(board, text, new, count=1):
    _, target = first_target(board, text)
    target["expr"] = target["expr"].replace(text, new, count)


def mutations(promtool):
    yield "json", "cut-off JSON", None
    yield "uid", "a second file with the same uid", None
    yield "schema", "schemaVersion 27", lambda b: b.update(schemaVersion=27)
    yield "datasource", "a panel on a fixed data source", lambda b: first_panel(b).update(
        datasource={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"})
    yield "datasource", "a target without a data source", lambda b: first_target(b)[1].pop(
        "datasource")
    yield "unit", "a panel without a unit", lambda b: first_panel(b)["fieldConfig"][
        "defaults"].pop("unit")
    yield "description", "a panel without a description", lambda b: first_panel(b).update(
        description="")
    yield "rate-interval", "rate over [5m]", lambda b: set_expr(b, "[$__rate_interval]", "[5m]")
    yield "rate-interval", "increase over [1h]", lambda b: first_target(b)[1].update(
        expr='sum(increase(upkeep_update_runs_total{job=~"$job"}[1h]))')
    yield "ids", "a duplicate panel id", lambda b: first_panel(b).update(id=b["panels"][0]["id"])
    yield "variables", "an undefined variable", lambda b: set_expr(b, '"$job"', '"$cluster"')
    yield "literal", "a literal instance", lambda b: set_expr(
        b, 'job=~"$job"', 'job=~"$job",instance="10.0.0.7:10420"')
    yield "literal", "a literal job", lambda b: set_expr(b, 'job=~"$job"', 'job="upkeep"')
    yield "filter", "a query that ignores $job", lambda b: set_expr(
        b, 'job=~"$job"', 'mode!=""', -1)
    yield "layout", "a repeated panel", lambda b: first_panel(b).update(repeat="instance")
    yield "layout", "overlapping panels", lambda b: b["panels"][2].update(
        gridPos=dict(b["panels"][1]["gridPos"]))
    yield "table", "a multi-query table without merge", lambda b: next(
        p for p in all_panels(b) if p["type"] == "table").update(transformations=[])
    yield "variables", "an instance variable that ignores $job", lambda b: next(
        v for v in b["templating"]["list"] if v["name"] == "instance").update(
        query="label_values(upkeep_build_info, instance)")
    yield "literal", "a link to a literal host", lambda b: b["links"][0].update(
        url="/d/upkeep-host/upkeep-host?var-instance=web-1")
    yield "literal", "a saved data source", lambda b: next(
        v for v in b["templating"]["list"] if v["name"] == "datasource").update(
        current={"text": "Prometheus", "value": "P1809F7CD0C75ACF3"})
    yield "literal", "a saved job selection", lambda b: next(
        v for v in b["templating"]["list"] if v["name"] == "job").update(
        current={"text": "upkeep", "value": "upkeep"})
    if promtool:
        yield "promql", "a PromQL syntax error", lambda b: set_expr(b, ")", "")


def broken_copy(rule, mutate, text, other_uid):
    """The dashboard's text broken by one mutation; None when it has nothing to break so."""
    if rule == "json":
        return text[: len(text) // 2]
    board = json.loads(text)
    if rule == "uid":
        board["uid"] = other_uid
    else:
        try:
            mutate(board)
        except (LookupError, StopIteration):
            return None
    return json.dumps(board, indent=2)


def self_test(paths, promtool):
    failures = []
    if lint(paths, promtool):
        failures.append("the dashboards themselves do not pass; fix them first")
    originals = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            originals[path] = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        for rule, what, mutate in mutations(promtool):
            applied = 0
            for path, text in originals.items():
                others = [p for p in paths if p != path]
                other_uid = json.loads(originals[others[0]])["uid"] if others else ""
                content = broken_copy(rule, mutate, text, other_uid)
                if content is None:
                    continue
                applied += 1
                broken = os.path.join(tmp, os.path.basename(path))
                with open(broken, "w", encoding="utf-8") as f:
                    f.write(content)
                problems = lint(others + [broken], promtool)
                caught = [p for p in problems if f"[{rule}]" in p]
                print(f"{'caught' if caught else 'MISSED'}: {what} in {os.path.basename(path)}"
                      + (f" -> {caught[0].splitlines()[0]}" if caught else f" (got {problems})"))
                if not caught:
                    failures.append(f"{what} in {os.path.basename(path)} was not caught")
            if applied == 0:
                failures.append(f"no dashboard could be broken by {what}")
    for failure in failures:
        print(f"self-test failure: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promtool", help="also parse every query with this promtool")
    parser.add_argument("--self-test", action="store_true",
                        help="require the lint to catch broken copies of the dashboards")
    parser.add_argument("--provisioning", help="also check this Grafana provisioning file")
    parser.add_argument("dashboards", nargs="+")
    args = parser.parse_args()
    if args.self_test:
        return self_test(args.dashboards, args.promtool)
    problems = lint(args.dashboards, args.promtool)
    if args.provisioning:
        problems += provisioning_problems(args.provisioning)
    for problem in problems:
        print(problem)
    print(f"{len(args.dashboards)} dashboards, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
