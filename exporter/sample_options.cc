#include "exporter/sample_options.h"

#include <algorithm>

#include "common/text.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinInterval{10};

// The single value that stands for the whole list.
Problem SetFilesystemsAuto(SampleOptions& o, std::string_view value) {
  if (value != "auto") return "expected a list of mount points or \"auto\", got " + Quote(value);
  o.filesystems_auto = true;
  o.filesystems.clear();
  return std::nullopt;
}

Problem AddFilesystem(SampleOptions& o, std::string_view mount) {
  if (!mount.starts_with('/')) {
    return "a mount point must be an absolute path, got " + Quote(mount);
  }
  if (std::find(o.filesystems.begin(), o.filesystems.end(), mount) != o.filesystems.end()) {
    return "duplicate mount point " + Quote(mount);
  }
  o.filesystems.emplace_back(mount);
  return std::nullopt;
}

constexpr Setting<SampleOptions> kSettings[] = {
    {.key = "sample.interval",
     .default_text = "1s",
     .set = [](SampleOptions& o,
               std::string_view v) { return SetDuration(o.interval, v, kMinInterval); }},
    {.key = "sample.procfs",
     .default_text = "/proc",
     .set = [](SampleOptions& o, std::string_view v) { return SetNonEmpty(o.procfs, v); }},
    {.key = "sample.rootfs",
     .default_text = "/",
     .set = [](SampleOptions& o, std::string_view v) { return SetNonEmpty(o.rootfs, v); }},
    {.key = "sample.stat_timeout",
     .default_text = "500ms",
     .set = [](SampleOptions& o,
               std::string_view v) { return SetDuration(o.stat_timeout, v, milliseconds(1)); }},
    {.key = "sample.filesystems",
     .default_text = "[/]",
     .set = SetFilesystemsAuto,
     .kind = SettingKind::kList,
     .clear =
         [](SampleOptions& o) {
           o.filesystems_auto = false;
           o.filesystems.clear();
         },
     .add = AddFilesystem,
     .expected = "a list of mount points or \"auto\"",
     .item = "a mount point"},
};

}  // namespace

SettingsTable<SampleOptions> SampleSettings() { return {kSettings, nullptr}; }

}  // namespace upkeep
