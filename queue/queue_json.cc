#include "queue/queue_json.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace upkeep {
namespace {

using nlohmann::json;

// The JSON type in words, for "wrong type" errors.
std::string TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a fractional number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unusable value";
  }
}

// The start of `text` with anything unprintable replaced, so that an error about an HTML page
// or a stack trace shows what came back without flooding the log.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out;
  for (const char ch : text.substr(0, kMax)) {
    const auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) ? ch : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
std::string WithoutExceptionId(const std::string& what) {
  const size_t close = what.find("] ");
  return close == std::string::npos ? what : what.substr(close + 2);
}

}  // namespace

Result<QueueProbe> ParseQueueJson(std::string_view text) {
  if (text.size() > kMaxQueueJsonBytes) {
    return MakeError("queue JSON is larger than " + std::to_string(kMaxQueueJsonBytes) + " bytes");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return MakeError("empty output where queue JSON was expected");
  }
  bool too_deep = false;
  const json::parser_callback_t limit_depth = [&too_deep](int depth, json::parse_event_t event,
                                                          json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxQueueJsonDepth) {
      too_deep = true;
      return false;  // drop the subtree; the whole document is refused below
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), limit_depth);
  } catch (const json::exception& e) {
    return MakeError("not JSON (" + WithoutExceptionId(e.what()) + "); output starts with \"" +
                     Excerpt(text) + "\"");
  }
  if (too_deep) {
    return MakeError("queue JSON nests deeper than " + std::to_string(kMaxQueueJsonDepth) +
                     " levels");
  }
  if (!doc.is_object()) {
    return MakeError("queue JSON must be an object with \"depth\", got " + TypeName(doc));
  }

  QueueProbe probe;
  const auto depth = doc.find("depth");
  if (depth == doc.end()) return MakeError("queue JSON has no \"depth\"");
  if (depth->is_number_unsigned()) {
    const auto value = depth->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return MakeError("\"depth\" is too large: " + depth->dump());
    }
    probe.depth = static_cast<int64_t>(value);
  } else if (depth->is_number_integer()) {
    // nlohmann stores non-negative integers as unsigned, so this is a negative one.
    return MakeError("\"depth\" must not be negative, got " + depth->dump());
  } else {
    return MakeError("\"depth\" must be an integer, got " + TypeName(*depth));
  }

  const auto jobs = doc.find("activeJobs");
  const auto job = doc.find("activeJob");
  if (jobs == doc.end() && job == doc.end()) {
    return MakeError("queue JSON has neither \"activeJobs\" nor \"activeJob\"");
  }
  if (jobs != doc.end()) {
    if (!jobs->is_array()) {
      return MakeError("\"activeJobs\" must be an array, got " + TypeName(*jobs));
    }
    for (size_t i = 0; i < jobs->size(); ++i) {
      if (!(*jobs)[i].is_object()) {
        return MakeError("\"activeJobs[" + std::to_string(i) + "]\" must be an object, got " +
                         TypeName((*jobs)[i]));
      }
    }
    probe.active_jobs = static_cast<int64_t>(jobs->size());
    if (!jobs->empty()) probe.active_job = jobs->front();
  }
  if (job != doc.end()) {
    if (!job->is_object() && !job->is_null()) {
      return MakeError("\"activeJob\" must be an object or null, got " + TypeName(*job));
    }
    if (jobs == doc.end()) {
      probe.active_jobs = job->is_null() ? 0 : 1;
      probe.active_job = *job;
    } else if (job->is_null() != jobs->empty()) {
      return MakeError("\"activeJob\" and \"activeJobs\" disagree: " +
                       std::string(job->is_null() ? "no active job but " : "an active job but ") +
                       std::to_string(jobs->size()) + " in \"activeJobs\"");
    }
  }
  return probe;
}

}  // namespace upkeep
