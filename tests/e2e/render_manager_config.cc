#include "tests/e2e/render_manager_config.h"

#include <map>

namespace upkeep::testing {
namespace {

// {name} placeholders are filled in by RenderManagerUpkeepConfig.
constexpr const char* kConfig = R"(auth:
  tokens_file: {tokens_file}
queue:
  type: sqlite
  interval: 100ms
  timeout: 1s
  stale_after: 3s
  sqlite:
    path: {database}
    depth_query: "SELECT COUNT(*) FROM jobs WHERE status = 'queued'"
    active_query: "SELECT id, name, status, started_at FROM jobs WHERE status = 'rendering' ORDER BY started_at"
update:
  repo: {checkout}
  user: {user}
  check_interval: 0
  allow_insecure_transport: true   # git:// from the test's git daemon
  state_dir: {state_dir}
  env:
{env}  preserve: [dist]
  steps:
    - name: install
      run: npm ci --offline --no-audit --no-fund
      timeout: 2m
      rerun_on_rollback: true
      when_changed: [package.json, package-lock.json]
    - name: migrate
      run: npm run db:migrate
      rollback: npm run db:rollback
      timeout: 1m
      when_changed: ["migrations/**"]
    - name: build
      run: npm run build
      timeout: 2m
      rerun_on_rollback: true
  restart: { run: "{pm2} restart render-manager", timeout: 1m }
  health_check:
    url: http://127.0.0.1:{port}/api/version
    expect_revision: true
    timeout: 2s
    retries: 40
    interval: 250ms
  drain_timeout: 0s
  shutdown_timeout: 10s
)";

}  // namespace

std::string RenderManagerUpkeepConfig(const ManagedRenderManager& service) {
  std::string env;
  for (const auto& [name, value] : service.env) env += "    " + name + ": \"" + value + "\"\n";
  const std::map<std::string, std::string> values = {{"{tokens_file}", service.tokens_file},
                                                     {"{database}", service.database},
                                                     {"{checkout}", service.checkout},
                                                     {"{user}", service.user},
                                                     {"{state_dir}", service.state_dir},
                                                     {"{env}", env},
                                                     {"{pm2}", service.pm2},
                                                     {"{port}", std::to_string(service.port)}};
  std::string config = kConfig;
  for (const auto& [placeholder, value] : values) {
    for (size_t at = config.find(placeholder); at != std::string::npos;
         at = config.find(placeholder, at + value.size())) {
      config.replace(at, placeholder.size(), value);
    }
  }
  return config;
}

}  // namespace upkeep::testing
