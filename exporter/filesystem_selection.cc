#include "exporter/filesystem_selection.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace upkeep {
namespace {

// node_exporter's default --collector.filesystem.fs-types-exclude, as a list: plain string
// compares instead of a regex, since selection reruns whenever the mount table changes.
constexpr std::array<std::string_view, 24> kPseudoFsTypes = {
    "autofs",     "binfmt_misc", "bpf",       "cgroup",   "cgroup2",   "configfs",
    "debugfs",    "devpts",      "devtmpfs",  "fusectl",  "hugetlbfs", "iso9660",
    "mqueue",     "nsfs",        "overlay",   "proc",     "procfs",    "pstore",
    "rpc_pipefs", "securityfs",  "selinuxfs", "squashfs", "sysfs",     "tracefs",
};

bool IsPseudoFsType(std::string_view fstype) {
  return std::find(kPseudoFsTypes.begin(), kPseudoFsTypes.end(), fstype) != kPseudoFsTypes.end();
}

// `path` is `dir` or below it, on whole components ("/devices" is not below "/dev").
bool IsAtOrBelow(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  if (!path.starts_with(dir)) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

// `path` is strictly below `dir` (the ".+" in node_exporter's pattern: the directory itself
// is a normal mount point, only what is mounted inside it belongs to containers).
bool IsStrictlyBelow(std::string_view path, std::string_view dir) {
  return IsAtOrBelow(path, dir) && path.size() > dir.size() + 1;
}

// node_exporter's default --collector.filesystem.mount-points-exclude:
// ^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)
bool IsExcludedMountPoint(std::string_view mount_point) {
  for (std::string_view dir : {"/dev", "/proc", "/sys"}) {
    if (IsAtOrBelow(mount_point, dir)) return true;
  }
  for (std::string_view dir :
       {"/run/credentials", "/var/lib/docker", "/var/lib/containers/storage"}) {
    if (IsStrictlyBelow(mount_point, dir)) return true;
  }
  return false;
}

std::string_view WithoutTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::vector<MountInfo> SelectAutoFilesystems(const std::vector<MountInfo>& mounts) {
  // Rule 1: the last entry per mount point is the visible one.
  std::unordered_map<std::string_view, size_t> last_at;
  for (size_t i = 0; i < mounts.size(); ++i) last_at[mounts[i].mount_point] = i;

  // Rules 2 and 3.
  std::vector<size_t> candidates;
  for (size_t i = 0; i < mounts.size(); ++i) {
    const MountInfo& m = mounts[i];
    if (last_at[m.mount_point] != i) continue;
    if (IsExcludedMountPoint(m.mount_point) || IsPseudoFsType(m.fstype)) continue;
    candidates.push_back(i);
  }

  // Rule 4: one mount per device, preferring the filesystem's own root over a bind mount of
  // a subdirectory of it.
  std::unordered_map<std::string_view, size_t> chosen;
  for (size_t i : candidates) {
    const MountInfo& m = mounts[i];
    auto [it, inserted] = chosen.try_emplace(m.device_id, i);
    if (!inserted && mounts[it->second].root != "/" && m.root == "/") it->second = i;
  }

  std::vector<MountInfo> selected;
  for (size_t i : candidates) {
    if (chosen[mounts[i].device_id] == i) selected.push_back(mounts[i]);
  }
  return selected;
}

std::vector<MountInfo> SelectConfiguredFilesystems(const std::vector<MountInfo>& mounts,
                                                   const std::vector<std::string>& mount_points) {
  std::vector<MountInfo> selected;
  std::unordered_set<std::string_view> seen;
  for (const std::string& configured : mount_points) {
    std::string_view path = WithoutTrailingSlashes(configured);
    if (!seen.insert(path).second) continue;
    // Exact matches sort before containing mounts by length; ">=" keeps the last (visible)
    // entry among equal mount points.
    const MountInfo* best = nullptr;
    for (const MountInfo& m : mounts) {
      if (!IsAtOrBelow(path, m.mount_point)) continue;
      if (best == nullptr || m.mount_point.size() >= best->mount_point.size()) best = &m;
    }
    MountInfo info;
    if (best != nullptr) {
      info = *best;
    } else {
      info.device_id = "unknown";
      info.root = "/";
      info.fstype = "unknown";
      info.source = "unknown";
    }
    info.mount_point = configured;
    selected.push_back(std::move(info));
  }
  return selected;
}

}  // namespace upkeep
