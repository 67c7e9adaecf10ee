#include "controller/update_journal.h"

#include <fcntl.h>

#include <array>
#include <cerrno>
#include <utility>

#include "common/fd.h"
#include "common/file_reader.h"
#include "common/text.h"
#include "controller/state_files.h"
#include "controller/update_id.h"

namespace upkeep {
namespace {

constexpr std::array<std::pair<UpdatePhase, std::string_view>, 10> kPhaseNames{{
    {UpdatePhase::kStarted, "started"},
    {UpdatePhase::kCheckout, "checkout"},
    {UpdatePhase::kPreserve, "preserve"},
    {UpdatePhase::kSteps, "steps"},
    {UpdatePhase::kDrain, "drain"},
    {UpdatePhase::kRestart, "restart"},
    {UpdatePhase::kHealthCheck, "health_check"},
    {UpdatePhase::kRollback, "rollback"},
    {UpdatePhase::kRollbackFailed, "rollback_failed"},
    {UpdatePhase::kFinished, "finished"},
}};

constexpr std::array<std::pair<StepState, std::string_view>, 5> kStepStateNames{{
    {StepState::kOk, "ok"},
    {StepState::kFailed, "failed"},
    {StepState::kSkipped, "skipped"},
    {StepState::kTimedOut, "timed_out"},
    {StepState::kRolledBack, "rolled_back"},
}};

// A journal is a few hundred bytes; anything near this is not one.
constexpr size_t kMaxJournalBytes = 1 << 20;

template <typename Enum, size_t N>
std::string_view NameIn(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueIn(const std::array<std::pair<Enum, std::string_view>, N>& names,
                            std::string_view wanted) {
  for (const auto& [value, name] : names) {
    if (name == wanted) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view PhaseName(UpdatePhase phase) { return NameIn(kPhaseNames, phase); }
std::optional<UpdatePhase> PhaseNamed(std::string_view name) { return ValueIn(kPhaseNames, name); }
std::string_view StepStateName(StepState state) { return NameIn(kStepStateNames, state); }
std::optional<StepState> StepStateNamed(std::string_view name) {
  return ValueIn(kStepStateNames, name);
}

nlohmann::json StepRecordToJson(const StepRecord& step) {
  return {
      {"name", step.name},
      {"state", std::string(StepStateName(step.state))},
      {"exitCode", step.exit_code ? nlohmann::json(*step.exit_code) : nlohmann::json(nullptr)},
      {"durationMs", step.duration_ms},
  };
}

Result<StepRecord> StepRecordFromJson(const nlohmann::json& json) {
  try {
    StepRecord step;
    json.at("name").get_to(step.name);
    const std::string state = json.at("state").get<std::string>();
    std::optional<StepState> known = StepStateNamed(state);
    if (!known) return MakeError("unknown step state " + Quote(state, 40));
    step.state = *known;
    const nlohmann::json& exit_code = json.at("exitCode");
    if (!exit_code.is_null()) step.exit_code = exit_code.get<int>();
    json.at("durationMs").get_to(step.duration_ms);
    return step;
  } catch (const nlohmann::json::exception& error) {
    return MakeError(error.what());
  }
}

nlohmann::json JournalToJson(const UpdateJournal& journal) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepRecord& step : journal.steps) steps.push_back(StepRecordToJson(step));
  nlohmann::json running(nullptr);
  if (journal.running) {
    running = {{"name", journal.running->name},
               {"processGroup", journal.running->process_group},
               {"leaderStartTicks", journal.running->leader_start_ticks}};
  }
  nlohmann::json json = {
      {"id", journal.id},
      {"who", journal.who},
      {"startedAt", journal.started_at},
      {"fromRevision", journal.from_revision},
      {"toRevision", journal.to_revision},
      {"fromVersion", journal.from_version},
      {"toVersion", journal.to_version},
      {"phase", std::string(PhaseName(journal.phase))},
      {"steps", std::move(steps)},
      {"running", std::move(running)},
      {"restartAttempted", journal.restart_attempted},
      {"healthPassed", journal.health_passed},
      {"recoveryAttempts", journal.recovery_attempts},
      {"failure", journal.failure},
      {"result", journal.result},
  };
  json["preserve"] = journal.preserve ? PreserveRecordToJson(*journal.preserve) : nullptr;
  return json;
}

Result<UpdateJournal> JournalFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return MakeError("not a JSON object");
  try {
    UpdateJournal journal;
    json.at("id").get_to(journal.id);
    // The id names the run's log file: a journal must not be able to point elsewhere.
    if (!IsValidUpdateId(journal.id)) return MakeError("invalid id " + Quote(journal.id, 40));
    json.at("who").get_to(journal.who);
    json.at("startedAt").get_to(journal.started_at);
    json.at("fromRevision").get_to(journal.from_revision);
    json.at("toRevision").get_to(journal.to_revision);
    json.at("fromVersion").get_to(journal.from_version);
    json.at("toVersion").get_to(journal.to_version);
    const std::string phase = json.at("phase").get<std::string>();
    std::optional<UpdatePhase> known = PhaseNamed(phase);
    if (!known) return MakeError("unknown phase " + Quote(phase, 40));
    journal.phase = *known;
    for (const nlohmann::json& item : json.at("steps")) {
      Result<StepRecord> step = StepRecordFromJson(item);
      if (!step.ok()) return MakeError("step: " + step.error());
      journal.steps.push_back(std::move(*step));
    }
    const nlohmann::json& running = json.at("running");
    if (!running.is_null()) {
      RunningStep step;
      running.at("name").get_to(step.name);
      running.at("processGroup").get_to(step.process_group);
      running.at("leaderStartTicks").get_to(step.leader_start_ticks);
      // 0 or 1 would make "kill the group" mean every process we may signal, or init's.
      if (step.process_group <= 1) return MakeError("invalid process group");
      journal.running = std::move(step);
    }
    json.at("restartAttempted").get_to(journal.restart_attempted);
    json.at("healthPassed").get_to(journal.health_passed);
    json.at("recoveryAttempts").get_to(journal.recovery_attempts);
    journal.failure = json.value("failure", std::string());
    journal.result = json.value("result", std::string());
    if (const auto preserve = json.find("preserve");
        preserve != json.end() && !preserve->is_null()) {
      Result<PreserveRecord> record = PreserveRecordFromJson(*preserve);
      if (!record.ok()) return MakeError("preserve: " + record.error());
      journal.preserve = std::move(*record);
    }
    return journal;
  } catch (const nlohmann::json::exception& error) {
    return MakeError(error.what());
  }
}

std::string JournalPath(const std::string& state_dir) { return state_dir + "/update.journal"; }

Status WriteJournal(const std::string& state_dir, const UpdateJournal& journal) {
  return WriteFileAtomically(JournalPath(state_dir), JournalToJson(journal).dump() + "\n", 0600);
}

Result<std::optional<UpdateJournal>> ReadJournal(const std::string& state_dir) {
  const std::string path = JournalPath(state_dir);
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<UpdateJournal>();
    return MakeError("cannot read the update journal: " + FileError(path, "open", errno).message);
  }
  std::string text;
  if (Status read = ReadFdInto(fd.get(), path, text, kMaxJournalBytes); !read.ok()) {
    return MakeError("cannot read the update journal: " + read.error());
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return MakeError("corrupt update journal " + path +
                     ": not JSON (cut off?): " + Printable(text, 100));
  }
  Result<UpdateJournal> journal = JournalFromJson(json);
  if (!journal.ok()) return MakeError("corrupt update journal " + path + ": " + journal.error());
  return std::optional<UpdateJournal>(std::move(*journal));
}

Status RemoveJournal(const std::string& state_dir) {
  return RemoveFileDurably(JournalPath(state_dir));
}

}  // namespace upkeep
