// The update check's costs (bench/RESULTS.md, "Update check"): a check with nothing new on a
// local file:// remote, through the helper process as the daemon runs it (spawn, fetch
// negotiation, facts, JSON back); and the changelog of a 10,000-commit gap, whose history
// `git fast-import` makes in one stream. Each real check is timed on its own, so the median
// and p90 of the single checks are reported beside Google Benchmark's mean.
//
// This binary is its own git helper (as the controller's unit tests are): started as
// `update_check_bench git check ...` it answers as `upkeep git check` does and exits, so the
// benchmark needs nothing but itself.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/process_runner.h"
#include "controller/git_checkout.h"
#include "controller/git_facts.h"
#include "controller/git_helper.h"
#include "controller/update_checker.h"

namespace upkeep {
namespace {

std::vector<std::string> OwnArgs() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

// Started as `update_check_bench git check ...` (by the UpdateChecker below), answers as the
// git helper before Google Benchmark's main runs.
const bool kRanAsHelper = [] {
  const std::vector<std::string> args = OwnArgs();
  if (args.size() >= 3 && args[1] == "git") {
    std::exit(RunGitHelper(std::vector<std::string>(args.begin() + 2, args.end()), 0, 1));
  }
  return false;
}();

constexpr int kGapCommits = 10000;

// A bare remote made by `git fast-import` (commits "Change 1".."Change N" on main, v1.0.0 on
// the first, v2.0.0 on the last) and the service's clone of it over file://, reset to `service_at`
// (a ref of the remote). Made once per process in a temp dir, removed at exit.
class BenchRepos {
 public:
  BenchRepos(int commits, const std::string& service_at) {
    char path[] = "/tmp/upkeep-update-bench-XXXXXX";
    if (::mkdtemp(path) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    root_ = path;
    std::filesystem::create_directory(root_ + "/home");
    WriteStream(commits);
    Run({"git", "init", "-q", "--bare", "-b", "main", remote()}) &&
        Run(ShellCommand("git -C '" + remote() + "' fast-import --quiet < '" + root_ +
                         "/history.fi'")) &&
        Run({"git", "clone", "-q", "file://" + remote(), service()}) &&
        Run({"git", "-C", service(), "reset", "-q", "--hard", service_at});
  }
  ~BenchRepos() {
    std::error_code ignored;
    if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
  }

  const std::string& error() const { return error_; }
  std::string remote() const { return root_ + "/remote.git"; }
  std::string service() const { return root_ + "/service"; }

 private:
  // One stream: each commit changes notes.txt; the branch continues from its last commit.
  void WriteStream(int commits) const {
    std::ofstream out(root_ + "/history.fi", std::ios::binary);
    const long long start = 1767225600;  // 2026-01-01, a minute between commits
    for (int i = 1; i <= commits; ++i) {
      const std::string message = "Change " + std::to_string(i) + "\n";
      const std::string content = "change " + std::to_string(i) + "\n";
      out << "commit refs/heads/main\nmark :" << i << "\ncommitter Bench <bench@example.org> "
          << start + 60LL * i << " +0000\ndata " << message.size() << "\n"
          << message << "M 100644 inline notes.txt\ndata " << content.size() << "\n"
          << content << "\n";
    }
    out << "reset refs/tags/v1.0.0\nfrom :1\n\n";
    out << "reset refs/tags/v2.0.0\nfrom :" << commits << "\n\n";
  }

  // git as a child process, with a config of its own (none of the machine's or the user's).
  bool Run(const std::vector<std::string>& argv) {
    ProcessOptions options;
    options.timeout = std::chrono::minutes(5);
    options.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + root_ + "/home",
                   "GIT_CONFIG_NOSYSTEM=1"};
    Result<ProcessOutcome> outcome = RunProcess(argv, options);
    if (!outcome) {
      error_ = outcome.error();
    } else if (outcome->exit_code != 0) {
      error_ = argv[0] + " " + argv[1] + " failed: " + outcome->err;
    }
    return error_.empty();
  }

  std::string root_;
  std::string error_;
};

// Three commits, the service at the tip: a check finds nothing new.
BenchRepos& UpToDate() {
  static BenchRepos repos(3, "main");
  return repos;
}

// 10,001 commits, the service at the first: 10,000 behind.
BenchRepos& Gap() {
  static BenchRepos repos(kGapCommits + 1, "v1.0.0");
  return repos;
}

std::unique_ptr<UpdateChecker> MakeChecker(const std::string& repo, size_t changelog_limit) {
  UpdateCheckerOptions options;
  options.helper_binary = std::filesystem::read_symlink("/proc/self/exe").string();
  options.request.repo = repo;
  options.request.changelog_limit = changelog_limit;
  // Git work runs as the checkout's owner, and as root only when written out.
  options.user = CurrentUserName();
  options.fetch_timeout = std::chrono::seconds(60);
  return std::make_unique<UpdateChecker>(
      std::move(options),
      [] {
        return QueueState{QueueStatus::kIdle, 0, 0, {}, ""};
      },
      [] { return UpdateLockFlags{}; });
}

// Times each iteration's `check` alone; reports the median and p90 of them in ms.
template <typename Check>
void TimeEach(benchmark::State& state, Check check) {
  std::vector<double> ms;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (!check()) return;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  if (ms.empty()) return;
  state.counters["median_ms"] = ms[ms.size() / 2];
  state.counters["p90_ms"] = ms[ms.size() * 9 / 10];
  state.counters["max_ms"] = ms.back();
}

bool Expect(benchmark::State& state, const UpdateCheckOutcome& outcome, uint64_t behind) {
  if (!outcome.answer) {
    state.SkipWithError(("check failed: " + outcome.error->message).c_str());
    return false;
  }
  if (outcome.answer->commits_behind != behind) {
    state.SkipWithError("unexpected commits_behind");
    return false;
  }
  return true;
}

// (a) What a dashboard's ?refresh=true costs: a helper run that fetches and finds nothing.
void BM_CheckNothingNew_Helper(benchmark::State& state) {
  BenchRepos& repos = UpToDate();
  if (!repos.error().empty()) return state.SkipWithError(repos.error().c_str());
  auto checker = MakeChecker(repos.service(), 100);
  if (!Expect(state, checker->Check(true), 0)) return;  // warm: page cache, first fetch
  TimeEach(state, [&] { return Expect(state, checker->Check(true), 0); });
}
BENCHMARK(BM_CheckNothingNew_Helper)->Iterations(100)->UseRealTime()->Unit(benchmark::kMillisecond);

// (a') The same check in this process: the helper's spawn and exec are the difference.
void BM_CheckNothingNew_InProcess(benchmark::State& state) {
  BenchRepos& repos = UpToDate();
  if (!repos.error().empty()) return state.SkipWithError(repos.error().c_str());
  GitCheckRequest request;
  request.repo = repos.service();
  request.fetch = true;
  TimeEach(state, [&] {
    CheckResult<GitFacts> facts = CheckGitCheckout(request);
    if (!facts || facts->commits_behind != 0) {
      state.SkipWithError(facts ? "unexpected commits_behind" : facts.error().message.c_str());
      return false;
    }
    return true;
  });
}
BENCHMARK(BM_CheckNothingNew_InProcess)
    ->Iterations(100)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// (b) The changelog of a 10,000-commit gap, in this process without a fetch: counting ahead and
// behind walks the whole gap; the changelog takes `limit` subjects (100 is the default).
void BM_Changelog10k_InProcess(benchmark::State& state) {
  BenchRepos& repos = Gap();
  if (!repos.error().empty()) return state.SkipWithError(repos.error().c_str());
  GitCheckRequest request;
  request.repo = repos.service();
  request.changelog_limit = static_cast<size_t>(state.range(0));
  TimeEach(state, [&] {
    CheckResult<GitFacts> facts = CheckGitCheckout(request);
    if (!facts || facts->commits_behind != kGapCommits) {
      state.SkipWithError(facts ? "unexpected commits_behind" : facts.error().message.c_str());
      return false;
    }
    benchmark::DoNotOptimize(facts->changelog.data());
    return true;
  });
}
BENCHMARK(BM_Changelog10k_InProcess)
    ->Arg(100)
    ->Arg(kGapCommits)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// (b') The same gap through the helper, as the daemon checks it: spawn, a fetch that finds
// nothing new, the walk, the facts as JSON and back.
void BM_Changelog10k_Helper(benchmark::State& state) {
  BenchRepos& repos = Gap();
  if (!repos.error().empty()) return state.SkipWithError(repos.error().c_str());
  auto checker = MakeChecker(repos.service(), 100);
  if (!Expect(state, checker->Check(true), kGapCommits)) return;
  TimeEach(state, [&] { return Expect(state, checker->Check(true), kGapCommits); });
}
BENCHMARK(BM_Changelog10k_Helper)->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace upkeep
