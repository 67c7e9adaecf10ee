// Access control under parallel requests: the slot ring that publishes credentials, the
// lockout and credential reloads while request threads read. Run under TSan (make test-tsan).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/api_token.h"
#include "auth/secure_file.h"
#include "auth/tokens_file.h"
#include "common/slot_ring.h"
#include "exporter/cpu_collector.h"
#include "exporter/sampler.h"
#include "server/access_control.h"
#include "server/http_server.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

// Every element equals `id`: a reader that saw a half-written value would see a mix.
struct Versioned {
  uint64_t id = 0;
  std::vector<uint64_t> copies;
};

// The credentials' and the lockout's publishing: writers that must not skip a value replace it
// whole (Replace waits for a free slot), one at a time under a mutex readers never take.
TEST(SlotRingConcurrencyTest, ReadersAlwaysSeeWholeValuesWhileWritersReplaceThem) {
  constexpr int kReaders = 4;
  constexpr int kWriters = 2;
  constexpr int kPublishesPerWriter = 1000;
  constexpr int kPublishesBetweenReads = 100;
  SlotRing<Versioned> ring;
  EXPECT_FALSE(ring.Acquire());
  std::atomic<bool> stop{false};
  std::array<std::atomic<uint64_t>, kReaders> reads{};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      uint64_t last = 0;
      while (!stop.load()) {
        const auto value = ring.Acquire();
        if (!value) continue;
        for (const uint64_t copy : value->copies) {
          if (copy != value->id) torn.fetch_add(1);
        }
        if (value->id < last) torn.fetch_add(1);  // never goes back in time
        last = value->id;
        reads[static_cast<size_t>(r)].fetch_add(1);
      }
    });
  }
  // Writers pause every kPublishesBetweenReads until every reader has read again, so readers
  // and writers interleave however the machine schedules them (on a loaded machine, 2000
  // publishes could otherwise finish before a reader first runs).
  const auto wait_for_every_reader = [&] {
    std::array<uint64_t, kReaders> seen{};
    for (size_t r = 0; r < seen.size(); ++r) seen[r] = reads[r].load();
    for (size_t r = 0; r < seen.size(); ++r) {
      while (reads[r].load() == seen[r]) std::this_thread::yield();
    }
  };
  std::mutex writer_mutex;
  uint64_t next_id = 1;  // under writer_mutex: ids in publish order
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      for (int i = 1; i <= kPublishesPerWriter; ++i) {
        {
          std::lock_guard lock(writer_mutex);
          Versioned value;
          value.id = next_id++;
          value.copies.assign(64, value.id);
          ring.Replace(std::move(value));
        }
        if (i % kPublishesBetweenReads == 0) wait_for_every_reader();
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
  for (const std::atomic<uint64_t>& count : reads) {
    EXPECT_GE(count.load(), static_cast<uint64_t>(kPublishesPerWriter / kPublishesBetweenReads));
  }
  EXPECT_EQ(ring.Acquire()->id, static_cast<uint64_t>(kWriters * kPublishesPerWriter));
}

TEST(FailureLockoutConcurrencyTest, ParallelFailuresAndChecks) {
  FailureLockout lockout(10, 60s);
  std::atomic<bool> stop{false};
  std::vector<std::thread> checkers;
  std::atomic<uint64_t> locked_seen{0};
  for (int t = 0; t < 3; ++t) {
    checkers.emplace_back([&] {
      while (!stop.load()) {
        for (uint64_t key = 0; key < 8; ++key) {
          if (lockout.LockedFor(key, FailureLockout::Clock::now())) locked_seen.fetch_add(1);
        }
      }
    });
  }
  std::vector<std::thread> failers;
  for (int t = 0; t < 4; ++t) {
    failers.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        lockout.RecordFailure(static_cast<uint64_t>((t + i) % 8), FailureLockout::Clock::now());
        if (i % 50 == 0) lockout.Sweep(FailureLockout::Clock::now());
      }
    });
  }
  for (std::thread& t : failers) t.join();
  stop = true;
  for (std::thread& t : checkers) t.join();
  // 800 failures over 8 keys within the window: every key was locked.
  for (uint64_t key = 0; key < 8; ++key) {
    EXPECT_TRUE(lockout.LockedFor(key, FailureLockout::Clock::now()).has_value()) << key;
  }
}

std::string TokensText(const std::vector<std::pair<std::string, std::string>>& tokens) {
  std::string text;
  for (const auto& [name, token] : tokens) {
    TokenRecord record;
    record.name = name;
    record.role = Role::kAdmin;
    record.hash = Sha256(token);
    text = AppendTokenLine(text, record);
  }
  return text;
}

TEST(CredentialStoreConcurrencyTest, ReloadsWhileRequestThreadsAuthorize) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  const std::string stable = *GenerateApiToken();
  std::vector<std::string> rotating;
  for (int i = 0; i < 2; ++i) rotating.push_back(*GenerateApiToken());
  ASSERT_TRUE(
      WriteFileAtomically(file, TokensText({{"stable", stable}, {"r", rotating[0]}}), 0600));

  CredentialStoreOptions options;
  options.tokens_file = file;
  options.poll_interval = 100ms;
  CredentialStore store(options);
  store.Load();
  store.StartWatching();

  std::atomic<bool> stop{false};
  std::atomic<int> stable_refused{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      const std::string header = "Bearer " + stable;
      while (!stop.load()) {
        const auto credentials = store.Current();
        const AuthDecision decision = Authorize(header.c_str(), Access::kAdmin, credentials.get(),
                                                std::chrono::system_clock::now());
        if (!decision.allowed) stable_refused.fetch_add(1);
      }
    });
  }
  for (int i = 1; i <= 30; ++i) {
    const std::string& current = rotating[static_cast<size_t>(i % 2)];
    ASSERT_TRUE(WriteFileAtomically(file, TokensText({{"stable", stable}, {"r", current}}), 0600));
    store.RequestReload();
    std::this_thread::sleep_for(5ms);
  }
  // The last file holds rotating[0]: wait (bounded) until it is the one accepted.
  const std::string last = "Bearer " + rotating[0];
  const std::string previous = "Bearer " + rotating[1];
  bool switched = false;
  for (int i = 0; i < 500 && !switched; ++i) {
    const auto credentials = store.Current();
    switched = Authorize(last.c_str(), Access::kAdmin, credentials.get(), {}).allowed &&
               !Authorize(previous.c_str(), Access::kAdmin, credentials.get(), {}).allowed;
    if (!switched) std::this_thread::sleep_for(10ms);
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  store.Stop();
  EXPECT_TRUE(switched);
  EXPECT_EQ(stable_refused.load(), 0);  // a reload never drops a token that stays in the file
}

TEST(AccessControlConcurrencyTest, LockedOutClientsDoNotDisturbOthers) {
  SnapshotRing ring;
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(
      std::make_unique<CpuCollector>(std::string(UPKEEP_FIXTURES_DIR) + "/procfs", 100.0));
  Sampler sampler(std::move(collectors), nullptr, 5ms, ring);

  testing::TempDir dir;
  const std::string token = *GenerateApiToken();
  AccessControlOptions access_options;
  access_options.credentials.tokens_file = dir.Write("tokens", TokensText({{"admin", token}}));
  access_options.max_failures = 5;
  access_options.trusted_proxies.push_back(Cidr::Parse("127.0.0.1").value());
  AccessControl access(access_options);
  access.Start();
  sampler.SetExtraMetrics([&access](std::string& out) { access.metrics().AppendText(out); });

  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 16;
  HttpServer server(options, ring, &access);  // sets the handler labels the sampler renders
  sampler.Start();                            // as in Daemon: after everything it renders is set up
  server.Start();
  const uint16_t port = server.bound_port();
  ASSERT_NE(port, 0);

  std::atomic<int> good_refused{0};
  std::atomic<int> bad_locked{0};
  std::vector<std::thread> clients;
  // Attackers: each from its own forwarded address, always with a wrong token.
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      const std::string from = "X-Forwarded-For: 203.0.113." + std::to_string(c + 1) + "\r\n";
      for (int i = 0; i < 30; ++i) {
        const auto response = testing::Request(port, "GET", "/api/system/health",
                                               from + "Authorization: Bearer upk_wrong\r\n");
        if (response.status == 429) bad_locked.fetch_add(1);
      }
    });
  }
  // Good clients: valid token, other addresses.
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      const std::string from = "X-Forwarded-For: 198.51.100." + std::to_string(c + 1) + "\r\n";
      for (int i = 0; i < 30; ++i) {
        const auto response = testing::Request(port, "GET", "/api/system/health",
                                               from + "Authorization: Bearer " + token + "\r\n");
        if (response.status != 200 && response.status != 503) good_refused.fetch_add(1);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  server.Stop();
  sampler.Stop();
  EXPECT_EQ(good_refused.load(), 0);
  EXPECT_EQ(bad_locked.load(), 4 * (30 - 5));  // all but the first 5 of each attacker
  EXPECT_EQ(access.metrics().auth_failures(AuthFailure::kUnknownToken), 4u * 5u);
  EXPECT_EQ(access.metrics().auth_failures(AuthFailure::kLockedOut), 4u * 25u);
}

}  // namespace
}  // namespace upkeep
