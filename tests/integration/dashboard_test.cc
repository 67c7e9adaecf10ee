// The shipped Grafana dashboards against the real thing: a real Prometheus (Debian's) scrapes
// two real upkeeps, a plain one (host metrics only) and a managed one (a SQLite queue and an
// update: section whose checkout is behind its remote, after one finished update run), and
// every panel query and variable query, with Grafana's variables filled in as Grafana fills
// them, must evaluate without error and return data. A renamed metric or label, a typo in
// PromQL or a variable that filters nothing fails here.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/grafana_dashboard.h"
#include "tests/support/http_client.h"
#include "tests/support/update_service_repos.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kFleet = "upkeep-fleet.json";
constexpr const char* kHost = "upkeep-host.json";
constexpr const char* kPlainJob = "upkeep-plain";
constexpr const char* kManagedJob = "upkeep-managed";

// Grafana's $__rate_interval is at least four scrape intervals; 15s spans enough 1s scrapes.
constexpr const char* kRateInterval = "15s";

// One trivial step, restart and health check: an update run that succeeds at once.
constexpr const char* kSteps = R"(  steps:
    - name: build
      run: 'true'
  restart:
    run: 'true'
  health_check:
    run: 'true'
    retries: 1
    interval: 100ms
)";

std::string UrlEncode(const std::string& text) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// A chunked body's data: Prometheus streams answers longer than Go's write buffer, and the
// test client reads bodies as they are sent.
std::string Dechunk(const std::string& body) {
  std::string out;
  for (size_t at = 0; at < body.size();) {
    const size_t line_end = body.find("\r\n", at);
    if (line_end == std::string::npos) break;
    const size_t size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
    if (size == 0) break;
    out += body.substr(line_end + 2, size);
    at = line_end + 2 + size + 2;
  }
  return out;
}

json ApiGet(uint16_t port, const std::string& path_and_query) {
  const HttpResponse response = Request(port, "GET", path_and_query);
  if (response.status != 200)
    return json{{"status", "http " + std::to_string(response.status)}, {"body", response.body}};
  const bool chunked = response.Header("transfer-encoding").find("chunked") != std::string::npos;
  json answer = json::parse(chunked ? Dechunk(response.body) : response.body, nullptr, false);
  if (!answer.is_object()) return json{{"status", "not JSON"}, {"body", response.body}};
  return answer;
}

json Query(uint16_t port, const std::string& expr) {
  return ApiGet(port, "/api/v1/query?query=" + UrlEncode(expr));
}

// What a label_values(SELECTOR, LABEL) variable offers, as Grafana asks Prometheus for it.
std::set<std::string> LabelValues(uint16_t port, const std::string& selector,
                                  const std::string& label) {
  const json answer =
      ApiGet(port, "/api/v1/label/" + label + "/values?match%5B%5D=" + UrlEncode(selector));
  std::set<std::string> values;
  if (answer.value("status", "") != "success") return values;
  for (const json& value : answer["data"]) values.insert(value.get<std::string>());
  return values;
}

// A Prometheus scraping each {job, target} every second.
std::string PrometheusConfig(const std::vector<std::pair<std::string, std::string>>& jobs) {
  std::string yaml = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
  for (const auto& [job, target] : jobs) {
    yaml += "  - job_name: " + job + "\n    static_configs:\n      - targets: ['" + target + "']\n";
  }
  return yaml;
}

// The series names that matter for "which host has this": update series exist only with an
// update: section, queue depth and active jobs only with a queue.
bool NeedsUpdateOrQueue(const std::string& expr) {
  return expr.find("upkeep_update_") != std::string::npos ||
         expr.find("upkeep_target_info") != std::string::npos ||
         expr.find("upkeep_queue_depth") != std::string::npos ||
         expr.find("upkeep_queue_active_jobs") != std::string::npos;
}

// One way of setting a dashboard's variables, and what its panels must then show.
struct Selection {
  std::string what;
  const json* dashboard;
  std::map<std::string, std::string> variables;  // $__rate_interval is added to them
  bool every_query_has_data;                     // else only those about host metrics must
  std::string only_instance;                     // when set, no series of another host may show
};

// Evaluates every panel query with `selection`: the failures, one line each ("" when none).
std::string PanelFailures(uint16_t prometheus, const Selection& selection) {
  std::map<std::string, std::string> variables = selection.variables;
  variables["__rate_interval"] = kRateInterval;
  std::string failures;
  for (const PanelQuery& query : PanelQueries(*selection.dashboard)) {
    const std::string expr = ExpandVariables(query.expr, variables);
    const json result = Query(prometheus, expr);
    const std::string where = selection.what + " / " + query.panel + " / " + query.ref_id + ": ";
    if (result.value("status", "") != "success") {
      failures += where + "error " + result.dump() + " for " + expr + "\n";
      continue;
    }
    const json& series = result["data"]["result"];
    if (series.empty() && (selection.every_query_has_data || !NeedsUpdateOrQueue(expr))) {
      failures += where + "no data for " + expr + "\n";
    }
    for (const json& one : series) {
      const json& labels = one["metric"];
      if (!selection.only_instance.empty() && labels.contains("instance") &&
          labels["instance"] != selection.only_instance) {
        failures += where + "shows another host " + labels.dump() + " for " + expr + "\n";
      }
    }
  }
  return failures;
}

TEST(DashboardTest, PanelsAreWellFormed) {
  std::set<std::string> uids;
  for (const char* file : {kFleet, kHost}) {
    SCOPED_TRACE(file);
    const json dashboard = LoadDashboard(file);
    ASSERT_TRUE(dashboard.is_object());
    EXPECT_TRUE(uids.insert(dashboard.value("uid", "")).second) << "uid " << dashboard["uid"];
    std::set<int> ids;
    for (const json& panel : dashboard["panels"]) {
      EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "duplicate id " << panel["id"];
      if (panel["type"] == "row") continue;
      EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
      EXPECT_FALSE(panel["description"].get<std::string>().empty()) << panel["title"];
    }
    const bool host = std::string(file) == kHost;
    for (const PanelQuery& query : PanelQueries(dashboard)) {
      EXPECT_NE(query.expr.find("$job"), std::string::npos) << query.panel << ": not by job";
      if (host) {
        EXPECT_NE(query.expr.find("$instance"), std::string::npos) << query.panel << ": by host";
      }
    }
    EXPECT_GT(PanelQueries(dashboard).size(), host ? 30u : 15u);
  }
  EXPECT_EQ(uids, (std::set<std::string>{"upkeep-fleet", "upkeep-host"}));
}

TEST(DashboardTest, EveryPanelQueryReturnsDataFromARealPrometheus) {
  DaemonProcess plain({"--sample.interval", "250ms"});
  ASSERT_TRUE(plain.started()) << plain.Log();
  UpdateServiceRepos managed;
  managed.PushRelease("v1.1.0");
  managed.Start(kSteps);

  // Prometheus first: it scrapes its first targets only about 5 s after its start, time in
  // which the managed host runs its update.
  const std::string plain_instance = "127.0.0.1:" + std::to_string(plain.port());
  const std::string managed_instance = "127.0.0.1:" + std::to_string(managed.daemon().port());
  TempDir dir;
  const std::string config =
      dir.Write("prometheus.yml",
                PrometheusConfig({{kPlainJob, plain_instance}, {kManagedJob, managed_instance}}));
  DaemonProcess prometheus(
      {"--config.file=" + config, "--storage.tsdb.path=" + dir.path() + "/data",
       "--web.listen-address=127.0.0.1:0"},
      30s, "/usr/bin/prometheus", DaemonProcess::kPrometheusListening);
  ASSERT_TRUE(prometheus.started()) << prometheus.Log();
  const uint16_t port = prometheus.port();

  // The managed host: one finished update run (v1.0.0 -> v1.1.0), then two more commits on
  // the remote that a check has seen, so that every update series exists.
  const json run = managed.ExecuteOk();
  ASSERT_TRUE(run.is_object() && run.value("result", "") == "success") << run.dump() << "\n"
                                                                       << managed.daemon().Log();
  managed.PushRelease("v1.2.0");
  managed.repos().PushCommits(1);
  const HttpResponse check = managed.AdminGet("/api/system/update/check?refresh=true");
  ASSERT_EQ(check.status, 200) << check.body;
  const json checked = UpdateServiceRepos::Body(check);
  ASSERT_TRUE(checked.is_object() && checked.value("commitsBehind", 0) == 2) << check.body;

  const json fleet = LoadDashboard(kFleet);
  const json host = LoadDashboard(kHost);
  const std::string all = GrafanaSelection({});
  const std::string managed_job = GrafanaSelection({kManagedJob});
  const std::vector<Selection> selections = {
      {"fleet, all jobs", &fleet, {{"job", all}}, true, ""},
      {"fleet, managed job", &fleet, {{"job", managed_job}}, true, managed_instance},
      {"host, all", &host, {{"job", all}, {"instance", all}}, true, ""},
      {"host, managed",
       &host,
       {{"job", managed_job}, {"instance", GrafanaSelection({managed_instance})}},
       true,
       managed_instance},
      {"host, plain",
       &host,
       {{"job", GrafanaSelection({kPlainJob})}, {"instance", GrafanaSelection({plain_instance})}},
       false,
       plain_instance},
  };

  // Until every query has what it needs (rate() two scrapes in its window, the update series
  // a scrape after the check), or a bounded wait; then the failures that are left are real.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string failures;
  for (;;) {
    failures.clear();
    for (const Selection& selection : selections) failures += PanelFailures(port, selection);
    if (failures.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_EQ(failures, "") << prometheus.Log();

  // The variables: job offers both jobs; instance, for the managed job, only its host.
  for (const json* dashboard : {&fleet, &host}) {
    for (const LabelValuesVariable& variable : LabelValuesVariables(*dashboard)) {
      const std::string managed_only = ExpandVariables(
          variable.selector, {{"job", GrafanaSelection({kManagedJob})}, {"instance", all}});
      const std::string any = ExpandVariables(variable.selector, {{"job", all}, {"instance", all}});
      if (variable.name == "job") {
        EXPECT_EQ(LabelValues(port, any, variable.label),
                  (std::set<std::string>{kPlainJob, kManagedJob}))
            << variable.selector;
      } else if (variable.name == "instance") {
        EXPECT_EQ(LabelValues(port, managed_only, variable.label),
                  std::set<std::string>{managed_instance})
            << variable.selector;
        EXPECT_EQ(LabelValues(port, any, variable.label),
                  (std::set<std::string>{plain_instance, managed_instance}))
            << variable.selector;
      } else {
        ADD_FAILURE() << "a variable this test does not know: " << variable.name;
      }
    }
  }
}

}  // namespace
}  // namespace upkeep::testing
