#include "controller/update_options.h"

#include <iterator>
#include <span>
#include <utility>
#include <vector>

#include "common/duration.h"
#include "common/result.h"
#include "common/text.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinute{60'000};
constexpr milliseconds kDay{24 * 60 * kMinute};
// Checking more often than this only loads the remote; slower than this is no longer "checking".
constexpr milliseconds kMinCheckInterval{10'000};
constexpr milliseconds kMaxCheckInterval{7 * kDay};
constexpr milliseconds kMaxFetchTimeout{60 * kMinute};
constexpr size_t kMaxChangelogLimit = 10'000;

Problem SetCheckInterval(UpdateOptions& o, std::string_view value) {
  const Result<milliseconds> parsed = ParseDuration(value);
  if (!parsed) return parsed.error();
  if (parsed->count() != 0 && (*parsed < kMinCheckInterval || *parsed > kMaxCheckInterval)) {
    return "must be 0 (no background check) or from " + FormatDuration(kMinCheckInterval) + " to " +
           FormatDuration(kMaxCheckInterval) + ", got " + Quote(value);
  }
  o.check_interval = *parsed;
  return std::nullopt;
}

// A remote or branch name reaches the helper's argv and git's ref names: no blanks, no
// control characters, and no leading '-' that could read as an option.
Problem SetName(std::string& out, std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  for (const char ch : value) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte <= ' ' || byte == 0x7f) {
      return "must not hold blanks or control characters, got " + Quote(Printable(value));
    }
  }
  if (value.front() == '-') return "must not start with '-', got " + Quote(value);
  out = value;
  return std::nullopt;
}

std::optional<KeyedProblem> Validate(const UpdateOptions& o, const GivenKeys& given) {
  if (given.empty()) return std::nullopt;  // an empty update: section is no section
  if (o.repo.empty()) {
    return KeyedProblem{given.contains("update.repo") ? "update.repo" : "update",
                        "update.repo: required: the path of the managed service's git "
                        "checkout"};
  }
  return ValidateUpdateExecution(o, given);
}

constexpr Setting<UpdateOptions> kSettings[] = {
    {.key = "update.repo",
     .set = [](UpdateOptions& o, std::string_view v) { return SetNonEmpty(o.repo, v); }},
    {.key = "update.remote",
     .default_text = "origin",
     .set = [](UpdateOptions& o, std::string_view v) { return SetName(o.remote, v); }},
    {.key = "update.branch",
     .default_text = "main",
     .set = [](UpdateOptions& o, std::string_view v) { return SetName(o.branch, v); }},
    {.key = "update.user",
     .set = [](UpdateOptions& o, std::string_view v) { return SetText(o.user, v); }},
    {.key = "update.check_interval", .default_text = "15m", .set = SetCheckInterval},
    {.key = "update.min_fetch_interval",
     .default_text = "30s",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetDuration(o.min_fetch_interval, v, milliseconds(1000), kDay);
         }},
    {.key = "update.fetch_timeout",
     .default_text = "30s",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetDuration(o.fetch_timeout, v, milliseconds(1000), kMaxFetchTimeout);
         }},
    {.key = "update.changelog_limit",
     .default_text = "100",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetInteger(o.changelog_limit, v, 1, kMaxChangelogLimit);
         }},
    {.key = "update.allow_insecure_transport",
     .default_text = "false",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetBool(o.allow_insecure_transport, v); }},
    {.key = "update.credentials.ssh_key_file",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetText(o.credentials.ssh_key_file, v); }},
    {.key = "update.credentials.ssh_known_hosts",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetText(o.credentials.ssh_known_hosts, v); }},
    {.key = "update.credentials.https_token_file",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetText(o.credentials.https_token_file, v); }},
    {.key = "update.state_dir",
     .default_text = "/var/lib/upkeep",
     .set = [](UpdateOptions& o, std::string_view v) { return SetNonEmpty(o.state_dir, v); }},
    {.key = "update.require_queue",
     .default_text = "true",
     .set = [](UpdateOptions& o, std::string_view v) { return SetBool(o.require_queue, v); }},
};

}  // namespace

SettingsTable<UpdateOptions> UpdateSettings() {
  // One table for the loader: the check's settings, then the execution's.
  static const std::vector<Setting<UpdateOptions>> all = [] {
    std::vector<Setting<UpdateOptions>> settings(std::begin(kSettings), std::end(kSettings));
    const std::span<const Setting<UpdateOptions>> execution = UpdateExecutionSettings();
    settings.insert(settings.end(), execution.begin(), execution.end());
    return settings;
  }();
  return {all, Validate};
}

BoundSettings BindUpdateSettings(UpdateOptions& options) {
  BoundSettings bound = Bind(UpdateSettings(), options);
  bound.validate = [&options, check = std::move(bound.validate)](const GivenKeys& given) {
    options.configured = !given.empty();
    return check(given);
  };
  return bound;
}

}  // namespace upkeep
