#include "app/daemon.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "app/update_routes.h"
#include "auth/ip_address.h"
#include "common/config_error.h"
#include "common/duration.h"
#include "exporter/host_collectors.h"
#include "exporter/update_sample.h"
#include "queue/command_queue_source.h"
#include "queue/http_queue_source.h"
#include "queue/queue_source.h"
#include "queue/sqlite_queue_source.h"

namespace upkeep {
namespace {

std::vector<std::unique_ptr<Collector>> MakeCollectors(const SampleOptions& sample) {
  return MakeHostCollectors({.procfs = sample.procfs,
                             .rootfs = sample.rootfs,
                             .filesystems_auto = sample.filesystems_auto,
                             .filesystems = sample.filesystems,
                             .stat_timeout = sample.stat_timeout});
}

// Every source, `none` included, goes through a QueueMonitor: one code path. Values were
// validated when the config was loaded.
std::unique_ptr<QueueSource> MakeQueueSource(const QueueOptions& queue) {
  if (queue.type == "sqlite") {
    return std::make_unique<SqliteQueueSource>(SqliteQueueSourceOptions{
        .path = queue.sqlite.path,
        .depth_query = queue.sqlite.depth_query,
        .active_query = queue.sqlite.active_query,
        .timeout = queue.timeout,
    });
  }
  if (queue.type == "http") {
    return std::make_unique<HttpQueueSource>(HttpQueueSourceOptions{
        .url = ParseHttpUrl(queue.http.url).value(),
        .url_text = queue.http.url,
        .bearer_token_file = queue.http.bearer_token_file,
        .timeout = queue.timeout,
        .ca_file = queue.http.ca_file,
    });
  }
  if (queue.type == "command") {
    return std::make_unique<CommandQueueSource>(CommandQueueSourceOptions{
        .argv = SplitCommandLine(queue.command.run).value(),
        .timeout = queue.timeout,
    });
  }
  return std::make_unique<NoneQueueSource>();
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

// mkdir -p, the last directory 0700: it holds what the update check and the updates must
// keep across restarts, nobody else's business. An existing directory is left as it is.
void CreateStateDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::filesystem::path path(dir);
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (!error && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = std::error_code(errno, std::generic_category());
  }
  if (!error && !std::filesystem::is_directory(path, error) && !error) {
    error = std::make_error_code(std::errc::not_a_directory);
  }
  if (error) {
    throw ConfigError("update.state_dir: cannot create " + dir + ": " + error.message());
  }
}

// The git helper is this binary (`upkeep git check ...`): its path now, at start, so that the
// helper is the same program as the daemon that asks it.
std::string ThisBinary() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw std::runtime_error("cannot find this binary for the git helper: /proc/self/exe: " +
                             error.message());
  }
  return path.string();
}

double EpochSeconds(SystemTime time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// The controller's status as the exporter's sample (exporter/ never sees controller/).
UpdateSample UpdateSampleOf(const UpdateCheckStatus& status) {
  UpdateSample sample;
  sample.checked = status.checked;
  sample.check_success = status.success;
  sample.last_check_timestamp_seconds = status.checked ? EpochSeconds(status.last_check_at) : 0;
  sample.check_duration_seconds = status.duration_seconds;
  sample.available = status.available;
  sample.available_since_timestamp_seconds =
      status.available && status.available_since ? EpochSeconds(*status.available_since) : 0;
  sample.commits_behind = status.commits_behind;
  sample.target_version = status.current_version;
  sample.target_revision = status.current_revision;
  return sample;
}

void LogUpdateNotice(const UpdateStatusNotice& notice) {
  if (notice.warning) {
    spdlog::warn("{}", notice.text);
  } else {
    spdlog::info("{}", notice.text);
  }
}

UpdateCheckerOptions MakeCheckerOptions(const UpdateOptions& update) {
  UpdateCheckerOptions options;
  options.helper_binary = ThisBinary();
  options.request.repo = update.repo;
  options.request.remote = update.remote;
  options.request.branch = update.branch;
  options.request.allow_insecure_transport = update.allow_insecure_transport;
  options.request.changelog_limit = update.changelog_limit;
  options.request.credentials.ssh_key_file = update.credentials.ssh_key_file;
  options.request.credentials.ssh_known_hosts = update.credentials.ssh_known_hosts;
  options.https_token_file = update.credentials.https_token_file;
  options.user = update.user;
  options.min_fetch_interval = update.min_fetch_interval;
  options.fetch_timeout = update.fetch_timeout;
  return options;
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
  queue_ = std::make_unique<QueueMonitor>(MakeQueueSource(config.queue),
                                          QueueMonitorOptions{
                                              .interval = config.queue.interval,
                                              .timeout = config.queue.timeout,
                                              .stale_after = config.queue.stale_after,
                                          });
  if (config.update.configured) MakeUpdateCheck(config.update);
  // The sampler only copies the monitor's latest result: it never waits for a probe.
  sampler_ = std::make_unique<Sampler>(
      MakeCollectors(config.sample), [queue = queue_.get()] { return queue->Latest(); },
      config.sample.interval, ring_);
  // A copy of the tracker's status under its lock: the check itself runs elsewhere.
  sampler_->SetUpdateState([status = update_status_.get()]() -> std::optional<UpdateSample> {
    if (status == nullptr) return std::nullopt;
    return UpdateSampleOf(status->Status());
  });
  // The request counters reach /metrics through the sampler's snapshot.
  sampler_->SetExtraMetrics(
      [access = access_.get()](std::string& out) { access->metrics().AppendText(out); });
  http_ = std::make_unique<HttpServer>(std::move(http), ring_, access_.get());
  // There without an update: section too, answering 503 update_not_configured.
  http_->AddRoute(UpdateCheckRoute(update_checker_.get()));
}

void Daemon::MakeUpdateCheck(const UpdateOptions& update) {
  CreateStateDir(update.state_dir);
  update_status_ = std::make_unique<UpdateStatusTracker>(update.state_dir + "/update-check.json");
  update_status_->SetNoticeSink(LogUpdateNotice);
  UpdateCheckerOptions options = MakeCheckerOptions(update);
  options.on_run = [status = update_status_.get()](const UpdateCheckRun& run) {
    status->Record(run);
  };
  update_checker_ = std::make_unique<UpdateChecker>(
      std::move(options), [queue = queue_.get()] { return queue->State(); },
      // No update runner yet: nothing holds the update lock or awaits recovery.
      [] { return UpdateLockFlags{}; });
  update_loop_ = std::make_unique<UpdateCheckLoop>(*update_checker_, update.check_interval);
  spdlog::info(
      "update check: managing {} (remote {}, branch {}) as {}; background check {}; state in {}",
      update.repo, update.remote, update.branch,
      update.user.empty() ? "the owner of the checkout" : "user " + update.user,
      update.check_interval.count() == 0 ? "off" : "every " + FormatDuration(update.check_interval),
      update.state_dir);
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  access_->Start();  // credentials first: a bad tokens file stops the start
  // Waits (at most queue.timeout) for the first probe, so that the first snapshot has the queue.
  queue_->Start();
  sampler_->Start();
  http_->Start();
  if (update_loop_) update_loop_->Start();
}

void Daemon::Stop() {
  http_->Stop();
  // A background check in progress finishes first (bounded by update.fetch_timeout).
  if (update_loop_) update_loop_->Stop();
  access_->Stop();
  sampler_->Stop();
  queue_->Stop();
}

void Daemon::Reload() { access_->Reload(); }

}  // namespace upkeep
