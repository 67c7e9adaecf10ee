// HTTP handlers under parallel requests while the sampler publishes: run under TSan.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "auth/api_token.h"
#include "auth/tokens_file.h"
#include "exporter/cpu_collector.h"
#include "exporter/memory_collector.h"
#include "exporter/sampler.h"
#include "server/http_server.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

TEST(HttpServerConcurrencyTest, ParallelScrapesWhileSamplerPublishes) {
  SnapshotRing ring;
  std::vector<std::unique_ptr<Collector>> collectors;
  const std::string procfs = std::string(UPKEEP_FIXTURES_DIR) + "/procfs";
  collectors.push_back(std::make_unique<CpuCollector>(procfs, 100.0));
  collectors.push_back(std::make_unique<MemoryCollector>(procfs));
  Sampler sampler(std::move(collectors), nullptr, 2ms, ring);
  sampler.Start();

  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 16;
  // /api/system/health needs the admin role: one token in a real tokens file.
  testing::TempDir dir;
  const std::string token = *GenerateApiToken();
  TokenRecord record;
  record.name = "admin";
  record.role = Role::kAdmin;
  record.hash = Sha256(token);
  AccessControlOptions access_options;
  access_options.credentials.tokens_file = dir.Write("tokens", AppendTokenLine("", record));
  AccessControl access(access_options);
  access.Start();
  HttpServer server(options, ring, &access);
  server.Start();
  ASSERT_NE(server.bound_port(), 0);

  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 40; ++i) {
        const bool gzip = (i + c) % 2 == 0;
        const auto response = testing::Request(server.bound_port(), "GET",
                                               c % 3 == 0 ? "/api/system/health" : "/metrics",
                                               (gzip ? "Accept-Encoding: gzip\r\n" : "") +
                                                   ("Authorization: Bearer " + token + "\r\n"));
        if (response.status == 503) continue;  // before the first tick
        if (response.status != 200) {
          failures.fetch_add(1);
          continue;
        }
        std::string body = response.body;
        if (response.Header("content-encoding") == "gzip") body = testing::Gunzip(body);
        if (c % 3 != 0 && body.find("upkeep_memory_total_bytes") == std::string::npos) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  server.Stop();
  sampler.Stop();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace upkeep
