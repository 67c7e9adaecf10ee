#include "app/daemon.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "app/queue_source_of.h"
#include "app/update_execute_routes.h"
#include "app/update_routes.h"
#include "auth/ip_address.h"
#include "common/config_error.h"
#include "common/duration.h"
#include "exporter/host_collectors.h"
#include "queue/queue_source.h"

namespace upkeep {
namespace {

std::vector<std::unique_ptr<Collector>> MakeCollectors(const SampleOptions& sample) {
  return MakeHostCollectors({.procfs = sample.procfs,
                             .rootfs = sample.rootfs,
                             .filesystems_auto = sample.filesystems_auto,
                             .filesystems = sample.filesystems,
                             .stat_timeout = sample.stat_timeout});
}

AccessControlOptions MakeAccessOptions(const Config& config) {
  AccessControlOptions options;
  options.credentials.tokens_file = config.auth.tokens_file;
  options.credentials.jwt_secret_file = config.auth.jwt.secret_file;
  options.credentials.jwt.issuer = config.auth.jwt.issuer;
  options.credentials.jwt.audience = config.auth.jwt.audience;
  options.credentials.jwt.role_claim = config.auth.jwt.role_claim;
  options.credentials.jwt.leeway =
      std::chrono::duration_cast<std::chrono::seconds>(config.auth.jwt.leeway);
  options.metrics_need_token = config.auth.metrics == "token";
  options.max_failures = config.auth.max_failures;
  options.lockout_window = config.auth.lockout_window;
  options.credentials.poll_interval = config.auth.watch_interval;
  for (const std::string& cidr : config.web.trusted_proxies) {
    options.trusted_proxies.push_back(Cidr::Parse(cidr).value());  // validated with the config
  }
  return options;
}

// The start-up warnings about access: nobody can use the admin API, or tokens would cross
// the network in clear.
void WarnAboutAccess(const Config& config, const AccessControl& access) {
  if (access.NoCredentialSources()) {
    spdlog::warn(
        "no auth.tokens_file and no auth.jwt.secret_file: the admin API (/api/...) "
        "answers 401 to every request");
  }
  const std::string host = ParseListenAddress(config.web.listen_address)->host;
  const std::optional<IpAddress> address = IpAddress::Parse(host);
  const bool loopback = host == "localhost" || (address && address->IsLoopback());
  if (!loopback && !config.web.tls.enabled()) {
    spdlog::warn(
        "the admin API listens on {} without TLS: tokens would cross the network in "
        "clear; set web.tls or listen on 127.0.0.1",
        host.empty() ? "every address" : host);
  }
}

}  // namespace

Daemon::Daemon(const Config& config) {
  Result<HostPort> address = ParseListenAddress(config.web.listen_address);
  HttpServerOptions http;
  http.host = address->host;  // validated when the config was loaded
  http.port = address->port;
  http.telemetry_path = config.web.telemetry_path;
  http.threads = config.web.threads;
  http.request_timeout = config.web.request_timeout;
  http.keep_alive_timeout = config.web.keep_alive_timeout;
  http.tls_cert_file = config.web.tls.cert_file;  // access control
  http.tls_key_file = config.web.tls.key_file;
  http.max_body_bytes = config.web.max_body_bytes;
  access_ = std::make_unique<AccessControl>(MakeAccessOptions(config));
  WarnAboutAccess(config, *access_);
  queue_ = std::make_unique<QueueMonitor>(QueueSourceOf(config.queue),
                                          QueueMonitorOptions{
                                              .interval = config.queue.interval,
                                              .timeout = config.queue.timeout,
                                              .stale_after = config.queue.stale_after,
                                          });
  if (config.update.configured) update_ = std::make_unique<UpdateService>(config.update, *queue_);
  // The sampler only copies the monitor's latest result: it never waits for a probe.
  sampler_ = std::make_unique<Sampler>(
      MakeCollectors(config.sample), [queue = queue_.get()] { return queue->Latest(); },
      config.sample.interval, ring_);
  // A copy of the tracker's status under its lock: the check itself runs elsewhere.
  sampler_->SetUpdateState([update = update_.get()]() -> std::optional<UpdateSample> {
    if (update == nullptr) return std::nullopt;
    return update->Sample();
  });
  sampler_->SetUpdateRunState([update = update_.get()]() -> std::optional<UpdateRunSample> {
    if (update == nullptr) return std::nullopt;
    return update->RunSample();
  });
  // The request counters reach /metrics through the sampler's snapshot.
  sampler_->SetExtraMetrics(
      [access = access_.get()](std::string& out) { access->metrics().AppendText(out); });
  http_ = std::make_unique<HttpServer>(std::move(http), ring_, access_.get());
  // There without an update: section too, answering 503 update_not_configured.
  UpdateChecker* checker = update_ ? &update_->checker() : nullptr;
  UpdateRunner* runner = update_ ? &update_->runner() : nullptr;
  http_->AddRoute(UpdateCheckRoute(checker));
  http_->AddRoute(UpdateExecuteRoute(runner));
  http_->AddRoute(UpdateStatusRoute(runner));
  http_->AddRoute(UpdateHistoryRoute(runner, config.update.state_dir));
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  access_->Start();  // credentials first: a bad tokens file stops the start
  // Waits (at most queue.timeout) for the first probe, so that the first snapshot has the queue.
  queue_->Start();
  sampler_->Start();
  // An interrupted update is recovered before anything is served.
  if (update_) update_->Start();
  http_->Start();
}

void Daemon::Stop() {
  // An update under way rolls back first (bounded by update.shutdown_timeout): a synchronous
  // execute is still waiting for it on a server thread.
  if (update_ && !update_->Stop()) {
    spdlog::error(
        "update: still running after update.shutdown_timeout; exiting and leaving its "
        "journal for the recovery at the next start");
    spdlog::shutdown();
    std::_Exit(1);
  }
  http_->Stop();
  access_->Stop();
  sampler_->Stop();
  queue_->Stop();
}

void Daemon::Reload() { access_->Reload(); }

}  // namespace upkeep
