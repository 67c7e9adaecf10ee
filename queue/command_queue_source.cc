#include "queue/command_queue_source.h"

#include <cstring>
#include <string>
#include <utility>

#include "common/process_runner.h"
#include "queue/queue_json.h"

namespace upkeep {
namespace {

constexpr std::string_view kShellOperators = "|&;<>()$`";

// The last non-empty line of `text`, printable and short: what a failing command said last.
std::string LastLine(std::string_view text) {
  constexpr size_t kMax = 200;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  const size_t newline = text.rfind('\n');
  if (newline != std::string_view::npos) text.remove_prefix(newline + 1);
  std::string out;
  if (text.size() > kMax) {
    out = "...";
    text.remove_prefix(text.size() - kMax);
  }
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) ? ch : '?';
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view text) {
  const auto shell_error = [](char ch) {
    return MakeError(std::string("unquoted \"") + ch +
                     "\": the command runs without a shell, so pipes, redirections, variables "
                     "and substitutions do not work; quote it, or write sh -c '...'");
  };
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // true even for an empty quoted word ('')
  size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (ch == '\'') {
      const size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) return MakeError("unterminated ' quote");
      word.append(text.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (ch == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return MakeError("unterminated \" quote");
        const char c = text[i];
        if (c == '"') break;
        if (c == '$' || c == '`') {
          return MakeError(std::string("\"") + c +
                           "\" inside double quotes: the command runs without a shell, so "
                           "nothing is expanded; use '...' or \\" +
                           c + " for a literal " + c);
        }
        if (c == '\\' && i + 1 < text.size() && std::strchr("\"\\$`", text[i + 1]) != nullptr) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += c;
        ++i;
      }
      in_word = true;
      ++i;
    } else if (ch == '\\') {
      if (i + 1 >= text.size()) return MakeError("a backslash at the end escapes nothing");
      word += text[i + 1];
      in_word = true;
      i += 2;
    } else if (kShellOperators.find(ch) != std::string_view::npos) {
      return shell_error(ch);
    } else {
      word += ch;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return MakeError("empty command");
  if (words.front().empty()) return MakeError("the program name is empty");
  return words;
}

CommandQueueSource::CommandQueueSource(CommandQueueSourceOptions options)
    : options_(std::move(options)) {}

Result<QueueProbe> CommandQueueSource::Probe() {
  const std::string name = options_.argv.empty() ? std::string() : options_.argv.front();
  const auto fail = [&name](const std::string& why) {
    return MakeError("command " + name + ": " + why);
  };
  ProcessOptions run;
  run.timeout = options_.timeout;
  run.kill_grace = std::chrono::milliseconds(0);  // a probe has nothing to clean up
  run.env = InheritedEnvironment();
  run.stdout_limit_is_error = true;
  run.max_stdout = kMaxQueueJsonBytes;
  run.max_stderr_tail = 4096;
  Result<ProcessOutcome> outcome = RunProcess(options_.argv, run);
  if (!outcome) return fail(outcome.error());
  if (outcome->timed_out) {
    return fail("did not finish within the timeout of " + std::to_string(options_.timeout.count()) +
                " ms (killed)");
  }
  if (outcome->signal != 0) {
    const char* abbrev = sigabbrev_np(outcome->signal);
    return fail("killed by signal " + std::to_string(outcome->signal) +
                (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : std::string()));
  }
  if (outcome->exit_code != 0) {
    std::string why = "exited with status " + std::to_string(outcome->exit_code);
    const std::string said = LastLine(outcome->err);
    if (!said.empty()) why += ": " + said;
    return fail(why);
  }
  Result<QueueProbe> probe = ParseQueueJson(outcome->out);
  if (!probe) return fail("stdout: " + probe.error());
  return probe;
}

}  // namespace upkeep
