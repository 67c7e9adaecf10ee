// The shipped Grafana dashboard against the real thing: a real Prometheus (Debian's)
// scrapes a real upkeep, and every panel query, with Grafana's variables filled in, must
// evaluate without error and return data. A renamed metric or a typo in PromQL fails here.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kDashboard = std::string(UPKEEP_SOURCE_DIR) + "/dashboards/upkeep-host.json";

json LoadDashboard() {
  std::ifstream in(kDashboard);
  return json::parse(in);
}

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

// Grafana's variables as Grafana would expand them for "all hosts".
std::string ExpandVariables(std::string expr) {
  const std::pair<std::string, std::string> kVariables[] = {{"$__rate_interval", "15s"},
                                                            {"$instance", ".+"}};
  for (const auto& [name, value] : kVariables) {
    for (size_t at = expr.find(name); at != std::string::npos; at = expr.find(name, at)) {
      expr.replace(at, name.size(), value);
    }
  }
  return expr;
}

json Query(uint16_t port, const std::string& expr) {
  const HttpResponse response = Request(port, "GET", "/api/v1/query?query=" + UrlEncode(expr));
  if (response.status != 200)
    return json{{"status", "http " + std::to_string(response.status)}, {"body", response.body}};
  return json::parse(response.body);
}

TEST(DashboardTest, PanelsAreWellFormed) {
  const json dashboard = LoadDashboard();
  EXPECT_EQ(dashboard["uid"], "upkeep-host");
  std::set<int> ids;
  size_t targets = 0;
  for (const json& panel : dashboard["panels"]) {
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "duplicate id " << panel["id"];
    if (panel["type"] == "row") continue;
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
    EXPECT_FALSE(panel["description"].get<std::string>().empty()) << panel["title"];
    for (const json& target : panel["targets"]) {
      EXPECT_NE(target["expr"].get<std::string>().find("$instance"), std::string::npos)
          << panel["title"] << ": every query is filtered by the host variable";
      ++targets;
    }
  }
  EXPECT_GT(targets, 15u);
}

TEST(DashboardTest, EveryPanelQueryReturnsDataFromARealPrometheus) {
  DaemonProcess upkeep({"--sample.interval", "250ms"});
  ASSERT_TRUE(upkeep.started()) << upkeep.Log();

  TempDir dir;
  const std::string config =
      dir.Write("prometheus.yml",
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "scrape_configs:\n  - job_name: upkeep\n    static_configs:\n"
                "      - targets: ['127.0.0.1:" +
                    std::to_string(upkeep.port()) + "']\n");
  DaemonProcess prometheus(
      {"--config.file=" + config, "--storage.tsdb.path=" + dir.path() + "/data",
       "--web.listen-address=127.0.0.1:0"},
      30s, "/usr/bin/prometheus", DaemonProcess::kPrometheusListening);
  ASSERT_TRUE(prometheus.started()) << prometheus.Log();

  // Enough scrapes for rate() over the expanded $__rate_interval (15s) to have two points.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool scraped = false;
  json up;
  while (std::chrono::steady_clock::now() < deadline) {
    up = Query(prometheus.port(), "count_over_time(up{job=\"upkeep\"}[1m]) >= 4");
    if (up["status"] == "success" && !up["data"]["result"].empty()) {
      scraped = true;
      break;
    }
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(scraped) << "port " << prometheus.port() << " " << up << "\n" << prometheus.Log();

  const json dashboard = LoadDashboard();
  for (const json& panel : dashboard["panels"]) {
    if (panel["type"] == "row") continue;
    for (const json& target : panel["targets"]) {
      const std::string expr = ExpandVariables(target["expr"].get<std::string>());
      const json result = Query(prometheus.port(), expr);
      EXPECT_EQ(result["status"], "success") << panel["title"] << ": " << expr << "\n" << result;
      EXPECT_FALSE(result["data"]["result"].empty()) << panel["title"] << ": no data for " << expr;
    }
  }
  // The host variable's query finds this upkeep.
  const json hosts = Query(prometheus.port(), "upkeep_build_info");
  ASSERT_EQ(hosts["data"]["result"].size(), 1u);
}

}  // namespace
}  // namespace upkeep::testing
