#include "tests/e2e/render_manager_releases.h"

#include <gtest/gtest.h>

#include <string_view>

namespace upkeep::testing {
namespace {

// A crashing release's first lines: before anything else of server.js runs.
constexpr std::string_view kExitAtStart =
    "console.error('render-manager: cannot reach the render farm, exiting');\n"
    "process.exit(1);\n";

std::string Replaced(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no \"" << from << "\" in:\n" << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

std::string ReleaseRenderNodes(const RenderManagerRepos& repos) {
  repos.Write("migrations/002_render_nodes.up.sql",
              "CREATE TABLE render_nodes (id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
              "  hostname TEXT NOT NULL UNIQUE, last_seen TEXT);\n"
              "CREATE INDEX render_nodes_last_seen ON render_nodes (last_seen);\n");
  repos.Write("migrations/002_render_nodes.down.sql", "DROP TABLE render_nodes;\n");
  repos.Write("scripts/render-nodes.js",
              "// Lists the render nodes and when each was last seen.\n"
              "const { execFileSync } = require('node:child_process');\n"
              "const path = require('node:path');\n"
              "const db = process.env.RENDER_DB || path.join(__dirname, '..', 'var', "
              "'render.sqlite');\n"
              "process.stdout.write(execFileSync('sqlite3', ['-json', db,\n"
              "  'SELECT hostname, last_seen FROM render_nodes ORDER BY hostname']));\n");
  repos.Commit("Track render nodes");
  return repos.Release("1.1.0");
}

std::string ReleaseBrokenMigration(const RenderManagerRepos& repos) {
  repos.Write("migrations/003_render_notes.up.sql",
              "CREATE TABLE render_notes (id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
              "  job_id INTEGER NOT NULL, note TEXT NOT NULL);\n"
              "INSERT INTO render_notes (job_id, note) SELECT id, name FROM jobs;\n"
              "INSERT INTO render_notes (job_id, note) VALUES (NULL, 'job_id is NOT NULL');\n");
  repos.Write("migrations/003_render_notes.down.sql", "DROP TABLE render_notes;\n");
  repos.Commit("Keep notes on renders");
  return repos.Release("1.2.0");
}

std::string ReleaseCrashingServer(const RenderManagerRepos& repos) {
  repos.Remove("migrations/003_render_notes.up.sql");
  repos.Remove("migrations/003_render_notes.down.sql");
  repos.Commit("Revert \"Keep notes on renders\"");
  repos.Write("server.js", std::string(kExitAtStart) + repos.Read("server.js"));
  repos.Commit("Check the render farm at start");
  return repos.Release("1.3.0");
}

std::string ReleaseCleanChange(const RenderManagerRepos& repos) {
  repos.Write("server.js", Replaced(repos.Read("server.js"), kExitAtStart, ""));
  repos.Commit("Start without the render farm check");
  repos.Write("docs/jobs-api.md",
              "# Jobs API\n\n"
              "- `POST /api/jobs` with `{\"name\": \"shot-010\"}` starts rendering a job.\n"
              "- `POST /api/jobs/<id>/finish` marks it done.\n");
  repos.Commit("Document the jobs API");
  return repos.Release("1.4.0");
}

std::string ReleaseSlowBuild(const RenderManagerRepos& repos, int delay_seconds) {
  repos.Write("package.json",
              Replaced(repos.Read("package.json"), "\"build\": \"node scripts/build.js\"",
                       "\"build\": \"BUILD_DELAY_SECONDS=" + std::to_string(delay_seconds) +
                           " node scripts/build.js\""));
  repos.Commit("Wait for the asset server before building");
  return repos.Release("1.5.0");
}

}  // namespace upkeep::testing
