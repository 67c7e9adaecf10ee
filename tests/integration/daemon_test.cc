// The real binary on 127.0.0.1, the live /proc of this machine, real promtool.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Waits until /-/ready answers 200 (the first snapshot is published).
bool WaitReady(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Request(port, "GET", "/-/ready").status == 200) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

uint64_t MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

class LiveDaemonTest : public ::testing::Test {
 protected:
  // A long interval keeps one snapshot for the whole test, so two requests can be
  // compared byte for byte.
  // /api/... needs the admin role: an API token made by `upkeep token create`.
  void SetUp() override {
    const std::string tokens = dir_.path() + "/tokens";
    admin_ = Bearer(CreateToken(tokens, "admin", "admin"));
    const std::string config = dir_.Write("upkeep.yaml", "auth:\n  tokens_file: " + tokens + "\n");
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", config, "--sample.interval", "1h"});
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
    ASSERT_TRUE(WaitReady(daemon_->port())) << daemon_->Log();
  }
  uint16_t port() const { return daemon_->port(); }
  TempDir dir_;
  std::string admin_;  // the Authorization header line
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(LiveDaemonTest, MetricsHasEveryRequiredSeriesAndPassesPromtool) {
  const HttpResponse response = Request(port(), "GET", "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.Header("content-encoding"), "");
  for (const char* series : {"upkeep_cpu_seconds_total{mode=\"user\"}",
                             "upkeep_cpu_seconds_total{mode=\"nice\"}",
                             "upkeep_cpu_seconds_total{mode=\"system\"}",
                             "upkeep_cpu_seconds_total{mode=\"idle\"}",
                             "upkeep_cpu_seconds_total{mode=\"iowait\"}",
                             "upkeep_cpu_seconds_total{mode=\"irq\"}",
                             "upkeep_cpu_seconds_total{mode=\"softirq\"}",
                             "upkeep_cpu_seconds_total{mode=\"steal\"}",
                             "\nupkeep_cpu_cores ",
                             "\nupkeep_memory_total_bytes ",
                             "\nupkeep_memory_used_bytes ",
                             "\nupkeep_memory_available_bytes ",
                             "\nupkeep_filesystem_size_bytes{",
                             "\nupkeep_filesystem_free_bytes{",
                             "\nupkeep_filesystem_avail_bytes{",
                             "mountpoint=\"/\"",
                             "\nupkeep_load1 ",
                             "\nupkeep_load5 ",
                             "\nupkeep_load15 ",
                             "\nupkeep_boot_time_seconds ",
                             "\nupkeep_uptime_seconds ",
                             "upkeep_collector_success{collector=\"cpu\"} 1",
                             "upkeep_collector_success{collector=\"meminfo\"} 1",
                             "upkeep_collector_success{collector=\"filesystem\"} 1",
                             "upkeep_collector_duration_seconds{collector=\"cpu\"}",
                             "\nupkeep_build_info{",
                             "\nprocess_cpu_seconds_total ",
                             "\nprocess_resident_memory_bytes ",
                             "\nprocess_open_fds ",
                             "\nprocess_start_time_seconds ",
                             "\nupkeep_queue_depth 0",
                             "\nupkeep_queue_active_jobs 0"}) {
    EXPECT_NE(response.body.find(series), std::string::npos) << "missing " << series;
  }

  const CommandResult promtool = RunCommand({"promtool", "check", "metrics"}, response.body);
  EXPECT_EQ(promtool.exit_status, 0) << promtool.output;
  EXPECT_EQ(promtool.output, "") << "promtool findings";
}

TEST_F(LiveDaemonTest, MetricsGzipDecodesToThePlainBody) {
  const HttpResponse plain = Request(port(), "GET", "/metrics");
  const HttpResponse gzip =
      Request(port(), "GET", "/metrics", "Accept-Encoding: gzip, deflate\r\n");
  ASSERT_EQ(gzip.status, 200);
  EXPECT_EQ(gzip.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzip.Header("vary"), "Accept-Encoding");
  EXPECT_LT(gzip.body.size(), plain.body.size());
  EXPECT_EQ(Gunzip(gzip.body), plain.body);

  const HttpResponse refused = Request(port(), "GET", "/metrics", "Accept-Encoding: gzip;q=0\r\n");
  EXPECT_EQ(refused.Header("content-encoding"), "");
  EXPECT_EQ(refused.body, plain.body);
}

TEST_F(LiveDaemonTest, HeadGivesHeadersAndNoBody) {
  const HttpResponse get = Request(port(), "GET", "/metrics");
  const HttpResponse head = Request(port(), "HEAD", "/metrics");
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.body, "");
}

TEST_F(LiveDaemonTest, HealthMatchesTheHost) {
  const HttpResponse response = Request(port(), "GET", "/api/system/health", admin_);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  EXPECT_EQ(response.Header("x-content-type-options"), "nosniff");
  const json health = json::parse(response.body);

  ASSERT_TRUE(health["cpu"]["usage"].is_number());
  EXPECT_GE(health["cpu"]["usage"].get<double>(), 0.0);
  EXPECT_LE(health["cpu"]["usage"].get<double>(), 100.0);
  EXPECT_EQ(health["cpu"]["cores"].get<long>(), sysconf(_SC_NPROCESSORS_ONLN));

  EXPECT_EQ(health["memory"]["total"].get<uint64_t>(), MemTotalBytes());
  const auto mem_used = health["memory"]["used"].get<uint64_t>();
  EXPECT_LE(mem_used, MemTotalBytes());
  EXPECT_NEAR(health["memory"]["percentage"].get<double>(),
              100.0 * static_cast<double>(mem_used) / static_cast<double>(MemTotalBytes()), 0.01);

  struct statvfs root {};
  ASSERT_EQ(::statvfs("/", &root), 0);
  const uint64_t disk_total = static_cast<uint64_t>(root.f_blocks) * root.f_frsize;
  EXPECT_EQ(health["disk"]["total"].get<uint64_t>(), disk_total);
  const auto disk_used = health["disk"]["used"].get<uint64_t>();
  EXPECT_LE(disk_used, disk_total);
  EXPECT_NEAR(health["disk"]["percentage"].get<double>(),
              100.0 * static_cast<double>(disk_used) / static_cast<double>(disk_total), 0.01);
  ASSERT_EQ(health["disks"].size(), 1u);
  EXPECT_EQ(health["disks"][0]["mountpoint"], "/");

  EXPECT_EQ(health["queue"]["depth"], 0);
  EXPECT_TRUE(health["queue"]["activeJob"].is_null());
  EXPECT_EQ(health["queue"]["source"], "none");
  EXPECT_GT(health["uptime"].get<double>(), 0.0);
  EXPECT_TRUE(health["load"]["load1"].is_number());
  EXPECT_TRUE(health["version"].is_string());
  EXPECT_TRUE(health["timestamp"].is_string());
}

TEST_F(LiveDaemonTest, LandingAndProbeEndpoints) {
  const HttpResponse landing = Request(port(), "GET", "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_NE(landing.body.find("href=\"/metrics\""), std::string::npos);
  EXPECT_EQ(Request(port(), "GET", "/-/healthy").status, 200);
  EXPECT_EQ(Request(port(), "GET", "/-/ready").status, 200);
}

TEST_F(LiveDaemonTest, UnknownPathIsJson404) {
  for (const char* path : {"/nope", "/metrics/", "/api/system", "/api/system/health/x"}) {
    const HttpResponse response = Request(port(), "GET", path, admin_);  // /api/ needs admin
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.Header("content-type"), "application/json");
    EXPECT_EQ(json::parse(response.body)["error"]["code"], "not_found");
  }
}

TEST_F(LiveDaemonTest, WrongMethodIs405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    const HttpResponse response = Request(port(), method, "/metrics");
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.Header("allow"), "GET, HEAD");
    EXPECT_EQ(json::parse(response.body)["error"]["code"], "method_not_allowed");
  }
  EXPECT_EQ(Request(port(), "POST", "/api/system/health", admin_, "{}").status, 405);
}

TEST_F(LiveDaemonTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string one = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string raw =
      one + one + "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const HttpResponse response = SendRaw(port(), raw);
  EXPECT_EQ(response.status, 200);
  // Three responses arrived on the one connection.
  // (ParseResponse keeps the first; count the status lines in a second read.)
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::send(fd, raw.data(), raw.size(), 0), static_cast<ssize_t>(raw.size()));
  std::string all;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) all.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  size_t count = 0;
  for (size_t at = all.find("HTTP/1.1 200"); at != std::string::npos;
       at = all.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << all;
}

// The listening socket's accept queue holds a burst of 256 connections (the bench's load):
// CivetWeb's default of 200 overflowed, and each dropped SYN cost its client a 1 s
// retransmission. For a listening socket, ss reports the backlog as Send-Q.
TEST_F(LiveDaemonTest, ListenBacklogHoldsABurstOf256Connections) {
  const CommandResult ss = RunCommand({"ss", "-Hltn", "sport = :" + std::to_string(port())});
  ASSERT_EQ(ss.exit_status, 0) << ss.output;
  std::istringstream line(ss.output);
  std::string state;
  int recv_q = -1;
  int backlog = -1;
  line >> state >> recv_q >> backlog;
  EXPECT_EQ(state, "LISTEN") << ss.output;
  EXPECT_EQ(backlog, 1024) << ss.output;
}

TEST(DaemonLifecycleTest, SigtermStopsPromptlyWithStatusZero) {
  DaemonProcess daemon({"--sample.interval", "100ms"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  ASSERT_TRUE(WaitReady(daemon.port()));
  // An idle keep-alive connection is open while we stop: it must not hold shutdown up.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(daemon.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::send(fd, request.data(), request.size(), 0), 0);
  char buffer[1024];
  ASSERT_GT(::recv(fd, buffer, sizeof buffer, 0), 0);

  // The bound is 5 s; the margin absorbs a loaded CI machine and sanitizers.
  const std::optional<int> status = daemon.StopWith(SIGTERM, 10s);
  ::close(fd);
  ASSERT_TRUE(status.has_value()) << "did not exit\n" << daemon.Log();
  EXPECT_EQ(*status, 0) << daemon.Log();
  EXPECT_NE(daemon.Log().find("stopped"), std::string::npos);
}

TEST(DaemonLifecycleTest, SigintStopsWithStatusZero) {
  DaemonProcess daemon({});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const std::optional<int> status = daemon.StopWith(SIGINT, 10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
}

TEST(DaemonStartupTest, PortInUseExitsWithStatus2) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  DaemonProcess daemon({"--web.listen-address", taken});
  const std::optional<int> status = daemon.WaitForExit(10s);
  ::close(fd);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 2);
  EXPECT_NE(daemon.Log().find("cannot listen on " + taken), std::string::npos) << daemon.Log();
}

TEST(DaemonStartupTest, ConfigErrorsExitWithStatus2AndNameTheCause) {
  TempDir dir;
  const std::string bad_key = dir.Write("bad.yaml", "sample:\n  intervall: 1s\n");
  const CommandResult unknown = RunCommand({UPKEEP_BINARY, "--config", bad_key});
  EXPECT_EQ(unknown.exit_status, 2);
  EXPECT_NE(unknown.output.find("sample.intervall"), std::string::npos) << unknown.output;

  const CommandResult bad_duration = RunCommand({UPKEEP_BINARY, "--sample.interval", "soon"});
  EXPECT_EQ(bad_duration.exit_status, 2);
  EXPECT_NE(bad_duration.output.find("--sample.interval"), std::string::npos)
      << bad_duration.output;

  const CommandResult missing = RunCommand({UPKEEP_BINARY, "--config", dir.path() + "/none.yaml"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_NE(missing.output.find("none.yaml"), std::string::npos) << missing.output;

  const CommandResult unknown_flag = RunCommand({UPKEEP_BINARY, "--no-such-flag"});
  EXPECT_EQ(unknown_flag.exit_status, 2);
  EXPECT_NE(unknown_flag.output.find("--no-such-flag"), std::string::npos);
}

TEST(DaemonStartupTest, VersionAndHelp) {
  const CommandResult version = RunCommand({UPKEEP_BINARY, "--version"});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_EQ(version.output.rfind("upkeep ", 0), 0u) << version.output;
  const CommandResult help = RunCommand({UPKEEP_BINARY, "--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.output.find("--web.listen-address"), std::string::npos);
  EXPECT_NE(help.output.find("--path.procfs"), std::string::npos);
}

TEST(DaemonStartupTest, ExampleConfigStartsAndServes) {
  DaemonProcess daemon({"--config", std::string(UPKEEP_SOURCE_DIR) + "/config/upkeep.example.yaml",
                        "--web.listen-address", "127.0.0.1:0"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  EXPECT_TRUE(WaitReady(daemon.port()));
  EXPECT_EQ(Request(daemon.port(), "GET", "/metrics").status, 200);
}

TEST(DaemonStartupTest, JsonLogFormatWritesOneObjectPerLine) {
  DaemonProcess daemon({"--log.format", "json"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  ASSERT_TRUE(daemon.StopWith(SIGTERM, 10s).has_value());
  std::istringstream lines(daemon.Log());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const json parsed = json::parse(line);  // throws (fails the test) if not JSON
    EXPECT_TRUE(parsed.contains("ts"));
    EXPECT_TRUE(parsed.contains("level"));
    EXPECT_TRUE(parsed.contains("msg"));
    ++count;
  }
  EXPECT_GE(count, 3);
}

}  // namespace
}  // namespace upkeep::testing
