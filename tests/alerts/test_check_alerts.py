#!/usr/bin/python3
"""check_alerts.py catches what it is for: each test breaks one thing in a copy of the real
alerts/ and docs/ and expects the problem named."""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import check_alerts  # noqa: E402  (found through the path above)


class CheckAlertsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check-alerts-")
        shutil.copytree(os.path.join(ROOT, "alerts"), os.path.join(self.root, "alerts"))
        os.mkdir(os.path.join(self.root, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "runbook.md"), os.path.join(self.root, "docs"))

    def tearDown(self):
        shutil.rmtree(self.root)

    def edit(self, relative, old, new, count=1):
        path = os.path.join(self.root, relative)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text, f"{relative} no longer holds {old!r}: update this test")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, count))

    def run_check(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = check_alerts.main(["--root", self.root])
        return rc, out.getvalue()

    def assert_problem(self, text):
        rc, out = self.run_check()
        self.assertEqual(rc, 1, out)
        self.assertIn(text, out)

    def test_the_real_files_pass(self):
        rc, out = self.run_check()
        self.assertEqual(rc, 0, out)

    def test_wrong_anchor(self):
        self.edit("alerts/upkeep.rules.yml", "#upkeepqueuestuck", "#queuestuck")
        self.assert_problem("UpkeepQueueStuck: runbook_url is")

    def test_made_up_host(self):
        self.edit("alerts/upkeep.rules.yml",
                  "{{ with $externalLabels.upkeep_runbook_url }}{{ . }}{{ else }}docs/runbook.md"
                  "{{ end }}#upkeepdown", "https://runbooks.example.com/upkeep#upkeepdown")
        self.assert_problem("UpkeepDown: runbook_url is")

    def test_missing_severity(self):
        self.edit("alerts/upkeep.rules.yml", "severity: info", "team: ops")
        self.assert_problem("severity is None")

    def test_missing_annotation(self):
        self.edit("alerts/upkeep.rules.yml", "          summary: \"upkeep on", "          x: \"")
        self.assert_problem("UpkeepDown: annotation summary is missing")

    def test_renamed_alert(self):
        self.edit("alerts/upkeep.rules.yml", "alert: UpkeepUpdateStuck", "alert: UpdateStuck")
        self.assert_problem("alert UpkeepUpdateStuck is missing")

    def test_missing_runbook_section(self):
        self.edit("docs/runbook.md", "## HostMemoryPressure", "## Memory pressure")
        self.assert_problem("no section for HostMemoryPressure")

    def test_runbook_section_without_alert(self):
        self.edit("docs/runbook.md", "## UpkeepDown", "## UpkeepDown\n\n## UpkeepGone")
        self.assert_problem("section 'UpkeepGone' is not an alert")

    def test_dangling_runbook_link(self):
        self.edit("docs/runbook.md", "](#upkeepqueuestuck)", "](#upkeepqueuestalled)")
        self.assert_problem("link to #upkeepqueuestalled")

    def test_no_not_firing_case(self):
        self.edit("alerts/tests/update.test.yml",
                  "      - eval_time: 60m\n        alertname: UpkeepUpdateStuck\n"
                  "        exp_alerts: []\n", "")
        self.assert_problem("no case where UpkeepUpdateStuck does not fire")

    def test_firing_case_without_annotations(self):
        self.edit("alerts/tests/update.test.yml",
                  '              runbook_url: "docs/runbook.md#upkeepupdatestuck"\n', "")
        self.assert_problem("exp_annotations has ['description', 'summary']")

    def test_scrape_job_name_differs(self):
        self.edit("alerts/prometheus.example.yml", "job_name: upkeep", "job_name: render-hosts")
        self.assert_problem("no scrape job 'upkeep'")

    def test_external_label_unset(self):
        self.edit("alerts/prometheus.example.yml", "    upkeep_runbook_url:", "    other:")
        self.assert_problem("external_labels.upkeep_runbook_url is not set")

    def test_severity_not_routed(self):
        self.edit("alerts/alertmanager.example.yml", "['severity=\"info\"']", "['team=\"ops\"']")
        self.assert_problem("no route for severity info")

    def test_github_anchor(self):
        self.assertEqual(check_alerts.github_anchor("UpkeepDown"), "upkeepdown")
        self.assertEqual(check_alerts.github_anchor("How runbook links are built"),
                         "how-runbook-links-are-built")


if __name__ == "__main__":
    unittest.main()
