#include "queue/queue_options.h"

#include "common/duration.h"
#include "common/http_client.h"
#include "common/text.h"
#include "queue/command_queue_source.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinInterval{10};
constexpr milliseconds kMaxDuration{24 * 60 * 60 * 1000};  // poll() takes an int of ms

Problem SetQuery(std::string& out, std::string_view value) {
  if (value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::string("must not be empty");
  }
  out = value;
  return std::nullopt;
}

// Checked even when another type is chosen: the file must not hold a URL that could never work.
Problem SetUrl(QueueOptions& o, std::string_view value) {
  if (!value.empty()) {
    if (const Result<HttpUrl> url = ParseHttpUrl(value); !url) return url.error();
  }
  o.http.url = value;
  return std::nullopt;
}

Problem SetCommand(QueueOptions& o, std::string_view value) {
  if (!value.empty()) {
    const Result<std::vector<std::string>> argv = SplitCommandLine(value);
    if (!argv) return argv.error() + ", got " + Quote(value);
  }
  o.command.run = value;
  return std::nullopt;
}

std::optional<KeyedProblem> Validate(const QueueOptions& q, const GivenKeys& given) {
  if (given.empty()) return std::nullopt;  // an empty queue: section is no section (type none)
  // Without a type, "sqlite: {path: ...}" would silently mean none and never block updates.
  if (!given.contains("queue.type")) {
    return KeyedProblem{"queue", "queue.type: missing; set it to sqlite, http, command or none"};
  }
  const auto require = [&](std::string_view key,
                           const std::string& value) -> std::optional<KeyedProblem> {
    if (!value.empty()) return std::nullopt;
    return KeyedProblem{"queue.type", std::string(key) + ": required when queue.type is " + q.type};
  };
  std::optional<KeyedProblem> missing;
  if (q.type == "sqlite") missing = require("queue.sqlite.path", q.sqlite.path);
  if (q.type == "http") missing = require("queue.http.url", q.http.url);
  if (q.type == "command") missing = require("queue.command.run", q.command.run);
  if (missing) return missing;
  // A good probe must still count when the next one is due and has taken its whole timeout;
  // otherwise the state flickers to unknown (and blocks updates) between two good probes.
  if (q.stale_after < q.interval + q.timeout) {
    return KeyedProblem{
        given.contains("queue.stale_after") ? "queue.stale_after" : "queue.interval",
        "queue.stale_after: must be at least queue.interval + queue.timeout (" +
            FormatDuration(q.interval + q.timeout) + "), got " +
            Quote(FormatDuration(q.stale_after))};
  }
  return std::nullopt;
}

constexpr Setting<QueueOptions> kSettings[] = {
    {.key = "queue.type",
     .default_text = "none",
     .set =
         [](QueueOptions& o, std::string_view v) {
           return SetOneOf(o.type, v, {"sqlite", "http", "command", "none"});
         }},
    {.key = "queue.interval",
     .default_text = "2s",
     .set =
         [](QueueOptions& o, std::string_view v) {
           return SetDuration(o.interval, v, kMinInterval, kMaxDuration);
         }},
    {.key = "queue.timeout",
     .default_text = "1s",
     .set =
         [](QueueOptions& o, std::string_view v) {
           return SetDuration(o.timeout, v, milliseconds(1), kMaxDuration);
         }},
    {.key = "queue.stale_after",
     .default_text = "10s",
     .set =
         [](QueueOptions& o, std::string_view v) {
           return SetDuration(o.stale_after, v, milliseconds(1), kMaxDuration);
         }},
    {.key = "queue.sqlite.path",
     .set = [](QueueOptions& o, std::string_view v) { return SetText(o.sqlite.path, v); }},
    {.key = "queue.sqlite.depth_query",
     .default_text = kDefaultDepthQuery,
     .set = [](QueueOptions& o, std::string_view v) { return SetQuery(o.sqlite.depth_query, v); }},
    {.key = "queue.sqlite.active_query",
     .default_text = kDefaultActiveQuery,
     .set = [](QueueOptions& o, std::string_view v) { return SetQuery(o.sqlite.active_query, v); }},
    {.key = "queue.http.url", .set = SetUrl},
    {.key = "queue.http.bearer_token_file",
     .set = [](QueueOptions& o,
               std::string_view v) { return SetText(o.http.bearer_token_file, v); }},
    {.key = "queue.http.ca_file",
     .set = [](QueueOptions& o, std::string_view v) { return SetText(o.http.ca_file, v); }},
    {.key = "queue.command.run", .set = SetCommand},
};

}  // namespace

SettingsTable<QueueOptions> QueueSettings() { return {kSettings, Validate}; }

}  // namespace upkeep
