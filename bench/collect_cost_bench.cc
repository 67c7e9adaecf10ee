// Where a tick's collect time goes: the system calls behind each collector, one at a time.
// The collectors themselves are measured in sampler_bench.cc (BM_Collector); these isolate
// the kernel's part (formatting /proc files, statvfs) and the filesystem collector's hand-off
// to its worker thread, which callgrind cannot see.

#include <benchmark/benchmark.h>
#include <dirent.h>
#include <sys/statvfs.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/file_reader.h"

namespace upkeep::bench {
namespace {

constexpr std::array<const char*, 7> kFiles = {
    "/proc/stat",      "/proc/meminfo",     "/proc/loadavg",       "/proc/uptime",
    "/proc/self/stat", "/proc/1/mountinfo", "/proc/self/mountinfo"};

// Open, read to EOF, close: what ReadFileInto costs per file per tick.
void BM_ReadProcFile(benchmark::State& state) {
  const std::string path = kFiles.at(static_cast<size_t>(state.range(0)));
  state.SetLabel(path);
  std::string buffer;
  for (auto _ : state) {
    Status read = ReadFileInto(path, buffer);
    if (!read.ok()) state.SkipWithError(read.error().c_str());
    benchmark::DoNotOptimize(buffer.data());
  }
  state.counters["file_bytes"] = static_cast<double>(buffer.size());
}
BENCHMARK(BM_ReadProcFile)->DenseRange(0, kFiles.size() - 1, 1);

void BM_Statvfs(benchmark::State& state) {
  struct statvfs result {};
  for (auto _ : state) {
    if (statvfs("/", &result) != 0) state.SkipWithError("statvfs / failed");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_Statvfs);

// The process collector counts its open descriptors by listing /proc/self/fd.
void BM_ListSelfFd(benchmark::State& state) {
  for (auto _ : state) {
    DIR* dir = opendir("/proc/self/fd");
    int entries = 0;
    while (readdir(dir) != nullptr) ++entries;
    closedir(dir);
    benchmark::DoNotOptimize(entries);
  }
}
BENCHMARK(BM_ListSelfFd);

// A request to a waiting worker thread and its answer through a mutex and two condition
// variables: the shape of the filesystem collector's per-mount hand-off (it keeps statvfs off
// the sampler thread because a hung NFS mount blocks it uninterruptibly). Process CPU: both
// threads' time counts.
void BM_WorkerHandoff(benchmark::State& state) {
  std::mutex mu;
  std::condition_variable request, answer;
  uint64_t asked = 0, answered = 0;
  bool stop = false;
  std::thread worker([&] {
    std::unique_lock lock(mu);
    for (;;) {
      request.wait(lock, [&] { return stop || asked != answered; });
      if (stop) return;
      answered = asked;
      answer.notify_one();
    }
  });
  for (auto _ : state) {
    std::unique_lock lock(mu);
    ++asked;
    request.notify_one();
    answer.wait(lock, [&] { return answered == asked; });
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  request.notify_one();
  worker.join();
}
BENCHMARK(BM_WorkerHandoff)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace upkeep::bench
