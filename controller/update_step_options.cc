#include "controller/update_step_options.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>

#include "common/text.h"
#include "controller/path_glob.h"
#include "controller/update_options.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kSecond{1000};
constexpr milliseconds kMinute{60 * kSecond};
constexpr milliseconds kHour{60 * kMinute};
constexpr milliseconds kDay{24 * kHour};
constexpr size_t kMaxStepName = 64;
constexpr uint32_t kMaxRetries = 1000;
constexpr size_t kMaxKeepLogs = 100'000;

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char ch) {
    const auto byte = static_cast<unsigned char>(ch);
    return byte < ' ' || byte == 0x7f;
  });
}

// The item a step's key fills: the loader appends one before reading its keys; a setter called
// on its own (a test) starts one.
UpdateStep& LastStep(UpdateOptions& o) {
  if (o.steps.empty()) o.steps.emplace_back();
  return o.steps.back();
}

// A shell command line: any text but empty, and no NUL (it would cut the command short).
Problem SetCommand(std::string& out, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) return std::string("must not hold a NUL byte");
  return SetNonEmpty(out, value);
}

Problem SetOptionalCommand(std::string& out, std::string_view value) {
  if (value.empty()) return SetText(out, value);
  return SetCommand(out, value);
}

Problem SetStepName(UpdateOptions& o, std::string_view value) {
  const bool valid =
      !value.empty() && value.size() <= kMaxStepName &&
      std::all_of(value.begin(), value.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
      });
  if (!valid) {
    return "must be 1 to " + std::to_string(kMaxStepName) +
           " of a-z, 0-9, _ and - (it names the step in answers, history and logs), got " +
           Quote(Printable(value));
  }
  UpdateStep& step = LastStep(o);
  for (const UpdateStep& other : o.steps) {
    if (&other != &step && other.name == value) return "duplicate step name " + Quote(value);
  }
  step.name = value;
  return std::nullopt;
}

Problem AddWhenChanged(UpdateOptions& o, std::string_view value) {
  if (const Status valid = ValidateGlob(value); !valid) return valid.error();
  std::vector<std::string>& patterns = LastStep(o).when_changed;
  if (std::find(patterns.begin(), patterns.end(), value) != patterns.end()) {
    return "duplicate pattern " + Quote(value);
  }
  patterns.emplace_back(value);
  return std::nullopt;
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
  });
}

// PATH may be set: the clean environment's PATH is a fixed system one, and naming a toolchain's
// directory (nvm's node, say) is the ordinary way to pick it; a step can run any command as
// update.user anyway, so it grants nothing. What upkeep sets itself may not be overridden: the
// update's id and revisions (UPKEEP_*), and HOME, USER, LOGNAME and SHELL, which come from
// update.user's account so that a step sees who it really runs as.
Problem PutEnv(UpdateOptions& o, std::string_view name, std::string_view value) {
  if (!IsEnvName(name)) {
    return std::string("must be a variable name: letters, digits and _, not starting with a digit");
  }
  if (name.starts_with("UPKEEP_")) {
    return std::string("upkeep sets UPKEEP_* itself (the update's id and revisions)");
  }
  for (const std::string_view own : {"HOME", "USER", "LOGNAME", "SHELL"}) {
    if (name == own) {
      return "upkeep sets " + std::string(own) + " itself, from update.user's account";
    }
  }
  if (value.find('\0') != std::string_view::npos) return std::string("must not hold a NUL byte");
  o.env.insert_or_assign(std::string(name), std::string(value));
  return std::nullopt;
}

bool LiesIn(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// "./node_modules/" -> "node_modules": a path inside the repo, compared with the others in that
// form. Never the repo itself, nothing outside it, nothing of git's.
Problem AddPreserve(UpdateOptions& o, std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  if (HasControlCharacter(value)) {
    return "must not hold control characters, got " + Quote(Printable(value));
  }
  if (value.front() == '/') {
    return "must be a path relative to update.repo (it is set aside inside the repo's parent "
           "or state_dir and put back), got " +
           Quote(value);
  }
  std::string path;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t slash = std::min(value.find('/', start), value.size());
    const std::string_view segment = value.substr(start, slash - start);
    start = slash + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..")
      return "must not hold \"..\" (a path outside the repo), got " + Quote(value);
    if (segment == ".git") {
      return "must not be or lie in .git (git's own data moves only with git), got " + Quote(value);
    }
    path += (path.empty() ? "" : "/") + std::string(segment);
  }
  if (path.empty())
    return "must name a path inside the repo, not the repo itself, got " + Quote(value);
  for (const std::string& other : o.preserve) {
    if (other == path) return "duplicate path " + Quote(path);
    if (LiesIn(path, other) || LiesIn(other, path)) {
      return Quote(path) + " overlaps " + Quote(other) + ", already listed: list one of them";
    }
  }
  o.preserve.push_back(std::move(path));
  return std::nullopt;
}

Problem SetHealthUrl(UpdateOptions& o, std::string_view value) {
  std::string_view rest = value;
  const bool scheme = (rest.starts_with("http://") && (rest.remove_prefix(7), true)) ||
                      (rest.starts_with("https://") && (rest.remove_prefix(8), true));
  const bool blank = std::any_of(value.begin(), value.end(), [](char ch) {
    return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f;
  });
  if (!scheme || rest.empty() || rest.front() == '/' || blank) {
    return "must be an http:// or https:// URL with a host, got " + Quote(Printable(value));
  }
  o.health_check.url = value;
  return std::nullopt;
}

Problem SetOnInterrupted(UpdateOptions& o, std::string_view value) {
  std::string name;
  if (Problem problem = SetOneOf(name, value, {"rollback", "report"})) return problem;
  o.on_interrupted = name == "rollback" ? OnInterrupted::kRollback : OnInterrupted::kReport;
  return std::nullopt;
}

// "/srv/app/" and "/srv/./app" -> "/srv/app", against the working directory as app/config.cc
// resolves them after reading (this check runs while the section is read).
std::filesystem::path Normalised(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  absolute = absolute.lexically_normal();
  if (!absolute.has_filename() && absolute.has_relative_path()) absolute = absolute.parent_path();
  return absolute;
}

bool IsSameOrInside(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

std::optional<KeyedProblem> ValidateStep(const UpdateStep& step, size_t index,
                                         const GivenKeys& given) {
  const std::string key = "update.steps[" + std::to_string(index) + "]";
  if (step.name.empty()) {
    return KeyedProblem{key, key + ".name: required: it names the step in answers and logs"};
  }
  if (step.run.empty()) return KeyedProblem{key, key + ".run: required: the step's command"};
  if (given.contains(key + ".when_changed") && step.when_changed.empty()) {
    return KeyedProblem{key + ".when_changed",
                        key +
                            ".when_changed: must list at least one pattern (leave it out and "
                            "the step always runs)"};
  }
  return std::nullopt;
}

std::optional<KeyedProblem> ValidateHealthCheck(const UpdateHealthCheck& check,
                                                const GivenKeys& given) {
  if (!given.contains("update.health_check")) return std::nullopt;
  if (!check.configured()) {
    return KeyedProblem{"update.health_check",
                        "update.health_check: needs url (an HTTP GET) or run (a command)"};
  }
  if (!check.url.empty() && !check.run.empty()) {
    return KeyedProblem{"update.health_check.run",
                        "update.health_check: url and run exclude each other: give one"};
  }
  if (check.expect_revision && check.url.empty()) {
    return KeyedProblem{"update.health_check.expect_revision",
                        "update.health_check.expect_revision: only with url (the revision is "
                        "looked for in the answer's body)"};
  }
  return std::nullopt;
}

std::optional<KeyedProblem> ValidateStateDir(const UpdateOptions& o, const GivenKeys& given) {
  const std::filesystem::path repo = Normalised(o.repo);
  const std::filesystem::path state_dir = Normalised(o.state_dir);
  if (!IsSameOrInside(state_dir, repo)) return std::nullopt;
  return KeyedProblem{given.contains("update.state_dir") ? "update.state_dir" : "update.repo",
                      "update.state_dir: must not lie inside update.repo (" + repo.string() +
                          "): the checkout and the steps could change or remove the journal "
                          "and logs, got " +
                          Quote(o.state_dir)};
}

constexpr Setting<UpdateOptions> kSettings[] = {
    {.key = "update.env",
     .default_text = "{}",
     .kind = SettingKind::kStringMap,
     .clear = [](UpdateOptions& o) { o.env.clear(); },
     .expected = "a map of NAME: value",
     .item = "a single value",
     .null_is_empty = true,
     .put = PutEnv},
    {.key = "update.preserve",
     .default_text = "[]",
     .kind = SettingKind::kList,
     .clear = [](UpdateOptions& o) { o.preserve.clear(); },
     .add = AddPreserve,
     .expected = "a list of paths inside the repo",
     .item = "a path",
     .null_is_empty = true},
    {.key = "update.steps",
     .default_text = "[]",
     .kind = SettingKind::kMapList,
     .clear = [](UpdateOptions& o) { o.steps.clear(); },
     .expected = "a list of steps",
     .item = "a step (a map with name and run)",
     .null_is_empty = true,
     .append = [](UpdateOptions& o) { o.steps.emplace_back(); }},
    {.key = "update.steps[].name", .set = SetStepName},
    {.key = "update.steps[].run",
     .set = [](UpdateOptions& o, std::string_view v) { return SetCommand(LastStep(o).run, v); }},
    {.key = "update.steps[].timeout",
     .default_text = "10m",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetDuration(LastStep(o).timeout, v, kSecond, kDay); }},
    {.key = "update.steps[].rerun_on_rollback",
     .default_text = "false",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetBool(LastStep(o).rerun_on_rollback, v); }},
    {.key = "update.steps[].when_changed",
     .kind = SettingKind::kList,
     .clear = [](UpdateOptions& o) { LastStep(o).when_changed.clear(); },
     .add = AddWhenChanged,
     .expected = "a list of globs",
     .item = "a glob"},
    {.key = "update.steps[].rollback",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetOptionalCommand(LastStep(o).rollback, v); }},
    {.key = "update.steps[].backup",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetOptionalCommand(LastStep(o).backup, v); }},
    {.key = "update.restart.run",
     .set = [](UpdateOptions& o, std::string_view v) { return SetCommand(o.restart.run, v); }},
    {.key = "update.restart.timeout",
     .default_text = "1m",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetDuration(o.restart.timeout, v, kSecond, kHour); }},
    {.key = "update.health_check.url", .set = SetHealthUrl},
    {.key = "update.health_check.run",
     .set = [](UpdateOptions& o, std::string_view v) { return SetCommand(o.health_check.run, v); }},
    {.key = "update.health_check.expect_revision",
     .default_text = "false",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetBool(o.health_check.expect_revision, v); }},
    {.key = "update.health_check.timeout",
     .default_text = "5s",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetDuration(o.health_check.timeout, v, milliseconds(100), 10 * kMinute);
         }},
    {.key = "update.health_check.retries",
     .default_text = "10",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetInteger(o.health_check.retries, v, 0, kMaxRetries);
         }},
    {.key = "update.health_check.interval",
     .default_text = "3s",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetDuration(o.health_check.interval, v, milliseconds(100), kHour);
         }},
    {.key = "update.drain_timeout",
     .default_text = "10m",
     .set =
         [](UpdateOptions& o, std::string_view v) {
           return SetDuration(o.drain_timeout, v, milliseconds(0), kDay);
         }},
    {.key = "update.shutdown_timeout",
     .default_text = "60s",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetDuration(o.shutdown_timeout, v, kSecond, kHour); }},
    {.key = "update.on_interrupted", .default_text = "rollback", .set = SetOnInterrupted},
    {.key = "update.keep_logs",
     .default_text = "50",
     .set = [](UpdateOptions& o,
               std::string_view v) { return SetInteger(o.keep_logs, v, 1, kMaxKeepLogs); }},
};

}  // namespace

bool StepRuns(const UpdateStep& step, std::span<const std::string> changed_paths) {
  return step.when_changed.empty() || AnyPathMatches(step.when_changed, changed_paths);
}

std::span<const Setting<UpdateOptions>> UpdateExecutionSettings() { return kSettings; }

std::optional<KeyedProblem> ValidateUpdateExecution(const UpdateOptions& o,
                                                    const GivenKeys& given) {
  if (given.empty()) return std::nullopt;  // an empty update: section is no section
  for (size_t i = 0; i < o.steps.size(); ++i) {
    if (auto problem = ValidateStep(o.steps[i], i, given)) return problem;
  }
  if (given.contains("update.restart") && o.restart.run.empty()) {
    return KeyedProblem{"update.restart",
                        "update.restart.run: required: the command that restarts the service"};
  }
  if (auto problem = ValidateHealthCheck(o.health_check, given)) return problem;
  return ValidateStateDir(o, given);
}

}  // namespace upkeep
