#include "exporter/health_renderer.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/time_text.h"
#include "common/version.h"

namespace upkeep {
namespace {

using nlohmann::json;

double Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return 0;
  // Two decimals are plenty for a dashboard and keep the body short and stable.
  return std::round(static_cast<double>(part) / static_cast<double>(whole) * 10000.0) / 100.0;
}

json UsageObject(uint64_t used, uint64_t total) {
  return {{"used", used}, {"total", total}, {"percentage", Percent(used, total)}};
}

json NullUsage() { return {{"used", nullptr}, {"total", nullptr}, {"percentage", nullptr}}; }

// used = total - avail: what unprivileged writers can no longer use (root's reserve counts
// as used), so 100% means "writes fail" for the service.
uint64_t DiskUsed(const FilesystemSample& fs) {
  return fs.size_bytes > fs.avail_bytes ? fs.size_bytes - fs.avail_bytes : 0;
}

}  // namespace

void RenderHealthJson(const Sample& sample, std::string& out) {
  json body;

  json cpu = {{"usage", nullptr}, {"cores", nullptr}};
  if (sample.cpu) {
    cpu["cores"] = sample.cpu->cores;
    if (sample.cpu->usage_ratio) {
      cpu["usage"] = std::round(*sample.cpu->usage_ratio * 10000.0) / 100.0;
    }
  }
  body["cpu"] = std::move(cpu);

  body["memory"] = sample.memory
                       ? UsageObject(sample.memory->UsedBytes(), sample.memory->total_bytes)
                       : NullUsage();

  json disks = json::array();
  for (const FilesystemSample& fs : sample.filesystems) {
    json disk = fs.error ? NullUsage() : UsageObject(DiskUsed(fs), fs.size_bytes);
    disk["available"] = fs.error ? json(nullptr) : json(fs.avail_bytes);
    disk["mountpoint"] = fs.mount_point;
    disk["device"] = fs.device;
    disk["fstype"] = fs.fstype;
    disk["stuck"] = fs.stuck;
    disk["error"] = fs.error;
    disks.push_back(std::move(disk));
  }
  const bool first_disk_ok = !sample.filesystems.empty() && !sample.filesystems.front().error;
  body["disk"] = first_disk_ok ? UsageObject(DiskUsed(sample.filesystems.front()),
                                             sample.filesystems.front().size_bytes)
                               : NullUsage();
  body["disks"] = std::move(disks);

  const QueueSample& q = sample.queue;
  json queue = {{"depth", nullptr},
                {"activeJob", nullptr},
                {"activeJobs", nullptr},
                {"source", q.source},
                {"stale", q.stale}};
  if (!q.stale) {
    queue["depth"] = q.depth;
    queue["activeJobs"] = q.active_jobs;
    queue["activeJob"] = q.active_job;
  }
  if (!q.error.empty()) queue["error"] = q.error;
  body["queue"] = std::move(queue);

  body["uptime"] = sample.uptime ? json(std::floor(sample.uptime->uptime_seconds)) : json(nullptr);
  body["load"] = sample.load ? json{{"load1", sample.load->load1},
                                    {"load5", sample.load->load5},
                                    {"load15", sample.load->load15}}
                             : json(nullptr);

  json collectors = json::object();
  for (const CollectorStatus& status : sample.collectors) {
    json entry = {{"success", status.success}};
    if (!status.error.empty()) entry["error"] = status.error;
    collectors[status.name] = std::move(entry);
  }
  body["collectors"] = std::move(collectors);
  body["version"] = kVersion;
  body["timestamp"] = FormatRfc3339(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(sample.timestamp_seconds))));

  // Mount points and job fields may hold bytes that are not UTF-8: replace, never throw.
  out = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace upkeep
