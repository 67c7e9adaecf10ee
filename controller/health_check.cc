#include "controller/health_check.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <thread>

#include "common/duration.h"
#include "common/http_client.h"
#include "common/text.h"

namespace upkeep {
namespace {

constexpr size_t kMinRevisionPrefix = 7;  // git's own shortest abbreviation
constexpr size_t kBodyExcerpt = 200;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// One attempt: empty when it passed, else why not.
std::string TryUrl(const HttpUrl& url, const HealthCheckSpec& spec,
                   std::string_view expected_revision) {
  HttpGetOptions options;
  options.timeout = spec.timeout;
  options.max_body = 64 * 1024;
  Result<HttpReply> reply = HttpGet(url, options);
  if (!reply) return reply.error();
  if (reply->status < 200 || reply->status > 299) {
    return "GET " + url.Text() + ": HTTP " + std::to_string(reply->status) + ": " +
           Printable(reply->body, kBodyExcerpt);
  }
  if (spec.expect_revision && !BodyNamesRevision(reply->body, expected_revision)) {
    return "GET " + url.Text() + ": revision " + std::string(expected_revision) +
           " not in the answer: " + Printable(reply->body, kBodyExcerpt);
  }
  return "";
}

std::string TryCommand(const HealthCheckSpec& spec, const StepContext& context, int attempt) {
  const StepCommand command{
      .name = "health_check#" + std::to_string(attempt), .run = spec.run, .timeout = spec.timeout};
  const StepOutcome outcome = RunStep(command, context);
  if (outcome.state == StepState::kOk) return "";
  std::string why = spec.run + ": " + outcome.Summary(spec.timeout);
  if (!outcome.tail.empty()) why += ": " + Printable(outcome.tail, kBodyExcerpt);
  return why;
}

}  // namespace

bool BodyNamesRevision(std::string_view body, std::string_view revision) {
  if (revision.size() < kMinRevisionPrefix ||
      !std::all_of(revision.begin(), revision.end(), IsHex)) {
    return false;
  }
  size_t i = 0;
  while (i < body.size()) {
    if (!IsHex(body[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < body.size() && IsHex(body[end])) ++end;
    const std::string_view run = body.substr(i, end - i);
    if (run.size() >= kMinRevisionPrefix && run.size() <= revision.size() &&
        std::equal(run.begin(), run.end(), revision.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
    i = end;
  }
  return false;
}

HealthCheckOutcome RunHealthCheck(const HealthCheckSpec& spec, std::string_view expected_revision,
                                  const StepContext& context) {
  HealthCheckOutcome outcome;
  if (!spec.configured()) {
    outcome.passed = true;
    return outcome;
  }
  std::optional<HttpUrl> url;
  if (!spec.url.empty()) {
    Result<HttpUrl> parsed = ParseHttpUrl(spec.url);
    if (!parsed) {
      outcome.last_error = "health_check.url: " + parsed.error();
      WriteLogLine(context.log_fd, "--- health check: " + outcome.last_error);
      return outcome;
    }
    url = *parsed;
  }
  const int attempts = 1 + static_cast<int>(spec.retries);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(spec.interval);
    outcome.attempts = attempt;
    outcome.last_error =
        url ? TryUrl(*url, spec, expected_revision) : TryCommand(spec, context, attempt);
    const std::string counted =
        "--- health check " + std::to_string(attempt) + "/" + std::to_string(attempts) + ": ";
    if (outcome.last_error.empty()) {
      outcome.passed = true;
      WriteLogLine(context.log_fd, counted + "passed");
      return outcome;
    }
    WriteLogLine(context.log_fd, counted + outcome.last_error);
  }
  WriteLogLine(context.log_fd, "--- health check failed after " + std::to_string(attempts) +
                                   " attempts (interval " + FormatDuration(spec.interval) + ")");
  return outcome;
}

}  // namespace upkeep
