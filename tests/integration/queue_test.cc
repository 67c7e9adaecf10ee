// The queue sources through the real binary: real SQLite files, a real HTTP server and a real
// command, read over real HTTP from /api/system/health and /metrics.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/sqlite_db.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A daemon with a queue: section, sampling every 100 ms, and an admin token for the health
// endpoint (/api/... needs one).
class QueueDaemon {
 public:
  QueueDaemon(const TempDir& dir, const std::string& queue_yaml) {
    const std::string tokens = dir.path() + "/tokens";
    token_ = CreateToken(tokens, "queue-test", "admin");
    EXPECT_NE(token_, "");
    const std::string config =
        dir.Write("upkeep.yaml", "auth:\n  tokens_file: " + tokens + "\n" + queue_yaml);
    process_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", config, "--sample.interval", "100ms"});
  }

  bool started() const { return process_->started(); }
  DaemonProcess& process() { return *process_; }

  json Queue() const {
    const HttpResponse response =
        Request(process_->port(), "GET", "/api/system/health", Bearer(token_));
    if (response.status != 200) return json{{"http_status", response.status}};
    return json::parse(response.body)["queue"];
  }

  std::string Metrics() const { return Request(process_->port(), "GET", "/metrics").body; }

  // Polls the health queue object until `condition` holds (or 15 s pass); returns the last one.
  json WaitForQueue(const std::function<bool(const json&)>& condition) const {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    json queue = Queue();
    while (!condition(queue) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      queue = Queue();
    }
    return queue;
  }

 private:
  std::string token_;
  std::unique_ptr<DaemonProcess> process_;
};

std::string SqliteQueueYaml(const std::string& path, const std::string& extra = "") {
  return "queue:\n  type: sqlite\n  interval: 100ms\n  timeout: 500ms\n  stale_after: 1500ms\n"
         "  sqlite:\n    path: " +
         path + "\n" + extra;
}

bool HasLine(const std::string& metrics, const std::string& line) {
  return metrics.find("\n" + line + "\n") != std::string::npos;
}

TEST(QueueIntegrationTest, EmptySqliteQueue) {
  TempDir dir;
  const std::string db_path = dir.path() + "/queue.db";
  SqliteDb(db_path).Exec(kJobsSchema);
  QueueDaemon daemon(dir, SqliteQueueYaml(db_path));
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  const json queue = daemon.WaitForQueue([](const json& q) { return q.contains("source"); });
  EXPECT_EQ(queue["source"], "sqlite") << queue;
  EXPECT_EQ(queue["depth"], 0);
  EXPECT_EQ(queue["activeJobs"], 0);
  EXPECT_TRUE(queue["activeJob"].is_null());
  EXPECT_EQ(queue["stale"], false);
  EXPECT_FALSE(queue.contains("error"));
  const std::string metrics = daemon.Metrics();
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_depth 0")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_active_jobs 0"));
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_probe_success 1"));
}

TEST(QueueIntegrationTest, ActiveJobAppearsWithItsColumnsAndTheSqlite3CliCanAddJobs) {
  TempDir dir;
  const std::string db_path = dir.path() + "/queue.db";
  {
    SqliteDb db(db_path);
    db.Exec("PRAGMA journal_mode=WAL;");
    db.Exec(kJobsSchema);
    db.Exec(
        "INSERT INTO jobs (name, status) VALUES ('a', 'queued'), ('b', 'queued'), ('c', 'queued');"
        "INSERT INTO jobs (id, name, status, progress, started_at) VALUES "
        "(17, 'shot_010', 'rendering', 0.42, '2024-05-01T10:00:00Z');");
  }
  QueueDaemon daemon(dir, SqliteQueueYaml(db_path));
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  json queue = daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 3; });
  EXPECT_EQ(queue["depth"], 3) << queue;
  EXPECT_EQ(queue["activeJobs"], 1);
  EXPECT_EQ(queue["activeJob"], json({{"id", 17},
                                      {"name", "shot_010"},
                                      {"status", "rendering"},
                                      {"progress", 0.42},
                                      {"started_at", "2024-05-01T10:00:00Z"}}));
  EXPECT_TRUE(queue["activeJob"]["id"].is_number_integer());
  EXPECT_TRUE(queue["activeJob"]["progress"].is_number_float());
  std::string metrics = daemon.Metrics();
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_depth 3")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_active_jobs 1"));
  EXPECT_NE(metrics.find("\nupkeep_queue_probe_duration_seconds "), std::string::npos);
  EXPECT_NE(metrics.find("\nupkeep_queue_last_success_timestamp_seconds "), std::string::npos);
  const CommandResult promtool = RunCommand({"promtool", "check", "metrics"}, metrics);
  EXPECT_EQ(promtool.exit_status, 0) << promtool.output;

  // What the README shows: add a job with the sqlite3 CLI while the daemon runs.
  const CommandResult added = RunCommand(
      {"sqlite3", db_path, "INSERT INTO jobs (name, status) VALUES ('shot_020', 'queued');"});
  ASSERT_EQ(added.exit_status, 0) << added.output;
  queue = daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 4; });
  EXPECT_EQ(queue["depth"], 4) << queue;
  // The render finishes: idle.
  ASSERT_EQ(RunCommand({"sqlite3", db_path, "UPDATE jobs SET status = 'done' WHERE id = 17;"})
                .exit_status,
            0);
  queue = daemon.WaitForQueue([](const json& q) { return q.value("activeJobs", json()) == 0; });
  EXPECT_EQ(queue["activeJobs"], 0) << queue;
  EXPECT_TRUE(queue["activeJob"].is_null());
}

TEST(QueueIntegrationTest, ReadsWhileTheServiceHoldsAWriteTransaction) {
  TempDir dir;
  const std::string db_path = dir.path() + "/queue.db";
  SqliteDb service(db_path);
  service.Exec(kJobsSchema);
  service.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued');");
  service.Exec("BEGIN IMMEDIATE;");
  service.Exec("INSERT INTO jobs (name, status) VALUES ('b', 'queued');");
  QueueDaemon daemon(dir, SqliteQueueYaml(db_path));
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  json queue = daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 1; });
  EXPECT_EQ(queue["depth"], 1) << queue;  // the committed state
  EXPECT_FALSE(queue.contains("error"));
  service.Exec("COMMIT;");
  queue = daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 2; });
  EXPECT_EQ(queue["depth"], 2) << queue;
}

TEST(QueueIntegrationTest, DeletedFileGoesStaleAndComesBack) {
  TempDir dir;
  const std::string db_path = dir.path() + "/queue.db";
  {
    SqliteDb db(db_path);
    db.Exec(kJobsSchema);
    db.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued'), ('b', 'queued');");
  }
  QueueDaemon daemon(dir, SqliteQueueYaml(db_path));
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  ASSERT_EQ(daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 2; })
                .value("depth", json()),
            2);

  const std::string kept = dir.path() + "/kept.db";
  std::filesystem::copy_file(db_path, kept);
  std::filesystem::remove(db_path);
  // The probe fails at once: the error shows, next to the last good values.
  json queue = daemon.WaitForQueue([](const json& q) { return q.contains("error"); });
  ASSERT_TRUE(queue.contains("error")) << queue;
  EXPECT_NE(queue["error"].get<std::string>().find("No such file or directory"), std::string::npos)
      << queue;
  // After stale_after, the state is unknown: stale, no depth, no job.
  queue = daemon.WaitForQueue([](const json& q) { return q.value("stale", false); });
  EXPECT_EQ(queue["stale"], true) << queue;
  EXPECT_TRUE(queue["depth"].is_null());
  EXPECT_TRUE(queue["activeJob"].is_null());
  EXPECT_NE(queue["error"].get<std::string>().find(db_path), std::string::npos);
  const std::string metrics = daemon.Metrics();
  EXPECT_TRUE(HasLine(metrics, "upkeep_queue_probe_success 0")) << metrics;
  EXPECT_EQ(metrics.find("\nupkeep_queue_depth "), std::string::npos) << metrics;

  // Copied beside it, then renamed into place: a probe never sees a half-copied database (which
  // would be a second, different error of the outage, and log a second line).
  std::filesystem::copy_file(kept, db_path + ".new");
  std::filesystem::rename(db_path + ".new", db_path);
  queue = daemon.WaitForQueue([](const json& q) { return !q.value("stale", true); });
  EXPECT_EQ(queue["stale"], false) << queue;
  EXPECT_EQ(queue["depth"], 2);
  EXPECT_FALSE(queue.contains("error"));

  // Many failing probes, one warning; one line for the recovery.
  const std::string log = daemon.process().Log();
  size_t warnings = 0;
  for (size_t at = log.find("probe failed"); at != std::string::npos;
       at = log.find("probe failed", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1u) << log;
  EXPECT_NE(log.find("probing works again"), std::string::npos) << log;
}

TEST(QueueIntegrationTest, CustomSchemaAndQueries) {
  TempDir dir;
  const std::string db_path = dir.path() + "/farm.sqlite";
  SqliteDb(db_path).Exec(
      "CREATE TABLE tasks (uuid TEXT, state TEXT, pct INTEGER);"
      "INSERT INTO tasks VALUES ('t1', 'waiting', 0), ('t2', 'active', 55);");
  QueueDaemon daemon(
      dir, SqliteQueueYaml(
               db_path,
               "    depth_query: \"SELECT count(*) FROM tasks WHERE state = 'waiting'\"\n"
               "    active_query: \"SELECT uuid, pct FROM tasks WHERE state = 'active'\"\n"));
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  const json queue =
      daemon.WaitForQueue([](const json& q) { return q.value("activeJobs", json()) == 1; });
  EXPECT_EQ(queue["depth"], 1) << queue;
  EXPECT_EQ(queue["activeJob"], json({{"uuid", "t2"}, {"pct", 55}}));
}

TEST(QueueIntegrationTest, HttpSource) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(
      200, "OK", R"({"depth": 6, "activeJobs": [{"id": "r-1", "frame": 12}, {"id": "r-2"}]})")});
  TempDir dir;
  QueueDaemon daemon(dir,
                     "queue:\n  type: http\n  interval: 100ms\n  timeout: 500ms\n"
                     "  stale_after: 1s\n  http:\n    url: " +
                         server.url("/summary") + "\n");
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  json queue = daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 6; });
  EXPECT_EQ(queue["source"], "http") << queue;
  EXPECT_EQ(queue["activeJobs"], 2);
  EXPECT_EQ(queue["activeJob"], json({{"id", "r-1"}, {"frame", 12}}));

  server.SetReply({ScriptedHttpServer::Response(500, "Internal Server Error", "oops")});
  queue = daemon.WaitForQueue([](const json& q) { return q.contains("error"); });
  EXPECT_EQ(queue.value("error", ""),
            "GET " + server.url("/summary") + ": HTTP 500 Internal Server Error")
      << queue;
}

TEST(QueueIntegrationTest, CommandSource) {
  TempDir dir;
  const std::string script = dir.Write(
      "summary", "#!/bin/sh\necho '{\"depth\": 2, \"activeJob\": {\"id\": 3, \"name\": \"x\"}}'\n");
  ::chmod(script.c_str(), 0755);
  QueueDaemon daemon(dir,
                     "queue:\n  type: command\n  interval: 100ms\n  timeout: 2s\n"
                     "  stale_after: 5s\n  command:\n    run: " +
                         script + "\n");
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  const json queue =
      daemon.WaitForQueue([](const json& q) { return q.value("depth", json()) == 2; });
  EXPECT_EQ(queue["source"], "command") << queue;
  EXPECT_EQ(queue["activeJob"], json({{"id", 3}, {"name", "x"}}));
}

// scripts/run.sh (what `make run` runs) creates the queue database on the first start, and the
// daemon it starts reads it; a job added with the sqlite3 CLI shows in the health JSON.
TEST(QueueIntegrationTest, MakeRunFirstStart) {
  TempDir dir;
  const std::string db_path = dir.path() + "/queue.db";
  const std::string tokens = dir.path() + "/tokens";
  const std::string config = dir.Write(
      "upkeep.yaml", "web:\n  listen_address: 127.0.0.1:0\nauth:\n  tokens_file: " + tokens + "\n" +
                         SqliteQueueYaml(db_path));
  // run.sh takes its paths from the environment (the spawned shell inherits it).
  ::setenv("BUILD", std::filesystem::path(UPKEEP_BINARY).parent_path().c_str(), 1);
  ::setenv("CONFIG", config.c_str(), 1);
  ::setenv("UPKEEP_TOKENS_FILE", tokens.c_str(), 1);
  ::setenv("UPKEEP_QUEUE_DB", db_path.c_str(), 1);
  DaemonProcess daemon({std::string(UPKEEP_SOURCE_DIR) + "/scripts/run.sh"}, 30s, "/bin/bash");
  for (const char* name : {"BUILD", "CONFIG", "UPKEEP_TOKENS_FILE", "UPKEEP_QUEUE_DB"}) {
    ::unsetenv(name);
  }
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  std::smatch token;
  const std::string log = daemon.Log();
  ASSERT_TRUE(std::regex_search(log, token, std::regex("upk_[A-Za-z0-9_-]+"))) << log;
  EXPECT_NE(log.find("Created " + db_path + " with an empty jobs table"), std::string::npos) << log;

  const auto queue = [&] {
    const HttpResponse response =
        Request(daemon.port(), "GET", "/api/system/health", Bearer(token.str()));
    return response.status == 200 ? json::parse(response.body)["queue"] : json();
  };
  const auto wait_for = [&](const std::function<bool(const json&)>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    json q = queue();
    while (!condition(q) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      q = queue();
    }
    return q;
  };
  json q = wait_for([](const json& j) { return j.is_object() && j["stale"] == false; });
  EXPECT_EQ(q["source"], "sqlite") << q;
  EXPECT_EQ(q["depth"], 0);
  EXPECT_TRUE(q["activeJob"].is_null());

  ASSERT_EQ(RunCommand({"sqlite3", db_path,
                        "INSERT INTO jobs (name, status, progress, started_at) VALUES "
                        "('shot_010', 'rendering', 0.5, '2024-05-01T10:00:00Z'), "
                        "('shot_020', 'queued', 0, NULL)"})
                .exit_status,
            0);
  q = wait_for([](const json& j) { return j.is_object() && j["activeJobs"] == 1; });
  EXPECT_EQ(q["depth"], 1) << q;
  EXPECT_EQ(q["activeJob"], json({{"id", 1},
                                  {"name", "shot_010"},
                                  {"status", "rendering"},
                                  {"progress", 0.5},
                                  {"started_at", "2024-05-01T10:00:00Z"}}));
  // The schema's CHECK constraints keep bad rows out.
  EXPECT_NE(RunCommand({"sqlite3", db_path, "INSERT INTO jobs (name, status) VALUES ('x', 'bad')"})
                .exit_status,
            0);
}

// An https:// URL is accepted; TLS is verified, so a server whose CA is not trusted is a probe
// error that says so (queue.http.ca_file is what trusts a private CA).
TEST(QueueIntegrationTest, HttpsSourceVerifiesTheServer) {
  TempDir dir;
  const TestPki pki = MakeTestPki(dir);
  ASSERT_EQ(pki.error, "");
  ScriptedHttpServer server(ScriptedTls{pki.cert_file, pki.key_file});
  server.SetReply({ScriptedHttpServer::Response(200, "OK", R"({"depth": 1, "activeJob": null})")});
  QueueDaemon daemon(dir,
                     "queue:\n  type: http\n  interval: 100ms\n  timeout: 2s\n"
                     "  stale_after: 3s\n  http:\n    url: " +
                         server.url("/summary") + "\n");
  ASSERT_TRUE(daemon.started()) << daemon.process().Log();
  const json queue = daemon.WaitForQueue([](const json& q) { return q.contains("error"); });
  const std::string error = queue.value("error", "");
  EXPECT_EQ(
      error.rfind("GET " + server.url("/summary") + ": TLS certificate verification failed", 0), 0u)
      << queue;
  EXPECT_TRUE(server.Requests().empty());
}

}  // namespace
}  // namespace upkeep::testing
