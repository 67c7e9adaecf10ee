#include "controller/step_runner.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

#include "common/duration.h"
#include "controller/run_environment.h"

namespace upkeep {
namespace {

constexpr size_t kTailLines = 10;
constexpr size_t kTailBytes = 2000;
// What the runner keeps in memory of each stream; all of it goes to the log.
constexpr size_t kStreamTail = 16 * 1024;

// The last kTailLines lines of `text` (at most kTailBytes), without the final newline.
std::string LastLines(std::string_view text) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t start = text.size();  // the newline before the lines taken so far, or 0
  for (size_t lines = 0; lines < kTailLines && start > 0; ++lines) {
    const size_t newline = text.rfind('\n', start - 1);
    start = newline == std::string_view::npos ? 0 : newline;
    if (newline == std::string_view::npos) break;
  }
  if (start < text.size() && text[start] == '\n') ++start;
  if (text.size() - start > kTailBytes) start = text.size() - kTailBytes;
  return std::string(text.substr(start));
}

std::string EscapeControls(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

std::string VariableValue(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env) {
    if (entry.starts_with(name + "=")) return entry.substr(name.size() + 1);
  }
  return "";
}

}  // namespace

std::string StepOutcome::Summary(std::chrono::milliseconds timeout) const {
  if (!error.empty()) return "could not start: " + error;
  switch (state) {
    case StepState::kOk:
      return "ok";
    case StepState::kTimedOut:
      return "timed out after " + FormatDuration(timeout);
    default:
      break;
  }
  if (cancelled) return "stopped by a shutdown";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "failed (exit " + std::to_string(exit_code.value_or(-1)) + ")";
}

std::vector<std::string> StepEnvironment(const StepContext& context) {
  std::vector<std::string> env = CleanEnvironment(context.run_as);
  SetVariables(env, context.env);
  // Last, so that nothing in update.env can pass for them (the options refuse such names too).
  SetVariables(env, {{"UPKEEP_UPDATE_ID", context.update_id},
                     {"UPKEEP_FROM_REV", context.from_rev},
                     {"UPKEEP_TO_REV", context.to_rev}});
  return env;
}

void WriteLogLine(int log_fd, const std::string& line) {
  if (log_fd < 0) return;
  const std::string text = EscapeControls(line) + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t written = ::write(log_fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    done += static_cast<size_t>(written);
  }
}

StepOutcome RunStep(const StepCommand& step, const StepContext& context) {
  ProcessOptions options;
  options.timeout = step.timeout;
  options.kill_grace = context.kill_grace;
  options.env = StepEnvironment(context);
  options.cwd = context.repo;
  // Files the steps create (dependencies, a build) readable by the service, whatever our umask.
  options.umask = 022;
  options.run_as = context.run_as;
  options.output_fd = context.log_fd;
  options.max_stdout_tail = kStreamTail;
  options.max_stderr_tail = kStreamTail;
  options.on_started = context.on_started;
  options.cancel = context.cancel;

  WriteLogLine(context.log_fd, "--- step " + step.name + ": " + step.run + " (as " +
                                   VariableValue(options.env, "USER") + ", timeout " +
                                   FormatDuration(step.timeout) + ")");
  StepOutcome outcome;
  const auto began = std::chrono::steady_clock::now();
  Result<ProcessOutcome> ran = RunProcess(ShellCommand(step.run), options);
  if (!ran) {
    outcome.state = StepState::kFailed;
    outcome.error = ran.error();
    outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
  } else {
    outcome.duration = ran->duration;
    outcome.signal = ran->signal;
    outcome.cancelled = ran->cancelled;
    if (ran->signal == 0) outcome.exit_code = ran->exit_code;
    if (ran->timed_out) {
      outcome.state = StepState::kTimedOut;
    } else {
      outcome.state = ran->signal == 0 && ran->exit_code == 0 ? StepState::kOk : StepState::kFailed;
    }
    outcome.tail = LastLines(ran->err.empty() ? ran->out : ran->err);
  }
  std::string footer = "--- step " + step.name + ": " + outcome.Summary(step.timeout) + ", took " +
                       FormatDuration(outcome.duration);
  if (ran && !ran->output_error.empty()) {
    footer += " (its output is incomplete here: " + ran->output_error + ")";
  }
  WriteLogLine(context.log_fd, footer);
  return outcome;
}

}  // namespace upkeep
