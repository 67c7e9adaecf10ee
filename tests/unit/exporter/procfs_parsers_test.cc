#include "exporter/procfs_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>

#ifndef UPKEEP_FIXTURES_DIR
#define UPKEEP_FIXTURES_DIR "tests/fixtures"
#endif

namespace upkeep {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

// /proc/stat of a 2-vCPU VM, Linux 6.18 (intr line shortened).
constexpr std::string_view kProcStat =
    "cpu  1754 0 1522 42901 357 0 25 8 0 0\n"
    "cpu0 704 0 612 21974 4 0 5 2 0 0\n"
    "cpu1 1049 0 909 20927 353 0 19 6 0 0\n"
    "intr 114600 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 15 0 0 0 0 46 33 0 16 1\n"
    "ctxt 268695\n"
    "btime 1795836882\n"
    "processes 4220\n"
    "procs_running 4\n"
    "procs_blocked 0\n"
    "softirq 71813 0 6409 4 1430 33843 0 3 15552 0 14572\n";

// /proc/meminfo of a 24 GiB VM, Linux 6.18.
constexpr std::string_view kMeminfo =
    "MemTotal:       24684084 kB\n"
    "MemFree:        24514656 kB\n"
    "MemAvailable:   24432124 kB\n"
    "Buffers:            2024 kB\n"
    "Cached:            34960 kB\n"
    "SwapCached:            0 kB\n"
    "Active:            17064 kB\n"
    "Inactive:          17720 kB\n"
    "Active(anon):       1524 kB\n"
    "Inactive(anon):     5152 kB\n"
    "Active(file):      15540 kB\n"
    "Inactive(file):    12568 kB\n"
    "Unevictable:       13172 kB\n"
    "Mlocked:           12240 kB\n"
    "SwapTotal:             0 kB\n"
    "SwapFree:              0 kB\n"
    "Dirty:               128 kB\n"
    "Writeback:             0 kB\n"
    "AnonPages:         11116 kB\n"
    "Mapped:            10700 kB\n"
    "Shmem:              8872 kB\n"
    "KReclaimable:      52944 kB\n"
    "Slab:              74648 kB\n"
    "SReclaimable:      52944 kB\n"
    "SUnreclaim:        21704 kB\n"
    "CommitLimit:    12342040 kB\n"
    "Committed_AS:      63324 kB\n"
    "VmallocTotal:   34359738367 kB\n"
    "HugePages_Total:       0\n"
    "HugePages_Free:        0\n"
    "Hugepagesize:       2048 kB\n"
    "DirectMap4k:       28672 kB\n"
    "DirectMap2M:     2068480 kB\n"
    "DirectMap1G:    25165824 kB\n";

// ---------------------------------------------------------------------------------------------
// /proc/stat

TEST(ParseProcStatTest, ParsesRealKernelOutput) {
  auto stat = ParseProcStat(kProcStat);
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->total.user, 1754u);
  EXPECT_EQ(stat->total.nice, 0u);
  EXPECT_EQ(stat->total.system, 1522u);
  EXPECT_EQ(stat->total.idle, 42901u);
  EXPECT_EQ(stat->total.iowait, 357u);
  EXPECT_EQ(stat->total.irq, 0u);
  EXPECT_EQ(stat->total.softirq, 25u);
  EXPECT_EQ(stat->total.steal, 8u);
  EXPECT_EQ(stat->total.Total(), 1754u + 1522 + 42901 + 357 + 25 + 8);
  EXPECT_EQ(stat->total.Busy(), 1754u + 1522 + 25 + 8);
  EXPECT_EQ(stat->cores, 2);
  EXPECT_EQ(stat->boot_time, 1795836882u);
}

TEST(ParseProcStatTest, GuestFieldsAreNotAddedToTotal) {
  // guest (9th) and guest_nice (10th) are already part of user and nice.
  auto stat = ParseProcStat(
      "cpu  100 10 50 1000 5 1 2 3 40 7\ncpu0 100 10 50 1000 5 1 2 3 40 7\n"
      "btime 1700000000\n");
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->total.user, 100u);
  EXPECT_EQ(stat->total.nice, 10u);
  EXPECT_EQ(stat->total.steal, 3u);
  EXPECT_EQ(stat->total.Total(), 100u + 10 + 50 + 1000 + 5 + 1 + 2 + 3);
}

TEST(ParseProcStatTest, CountsEveryCpuNLine) {
  auto stat = ParseProcStat(
      "cpu  40 0 40 400 0 0 0 0 0 0\n"
      "cpu0 10 0 10 100 0 0 0 0 0 0\ncpu1 10 0 10 100 0 0 0 0 0 0\n"
      "cpu2 10 0 10 100 0 0 0 0 0 0\ncpu3 10 0 10 100 0 0 0 0 0 0\n"
      "cpu12 1 0 1 1 0 0 0 0 0 0\n"  // numbering may have holes (offline CPUs)
      "intr 0\nctxt 1\nbtime 1\nprocesses 2\n");
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->cores, 5);
  EXPECT_EQ(stat->total.user, 40u);
  EXPECT_EQ(stat->boot_time, 1u);
}

TEST(ParseProcStatTest, OldKernelFourFieldCpuLine) {
  // Linux 2.4: user nice system idle only; the later modes stay 0.
  auto stat = ParseProcStat(
      "cpu  2255 34 2290 22625563\ncpu0 2255 34 2290 22625563\n"
      "page 5741 1808\nbtime 1035375584\n");
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->total.user, 2255u);
  EXPECT_EQ(stat->total.nice, 34u);
  EXPECT_EQ(stat->total.system, 2290u);
  EXPECT_EQ(stat->total.idle, 22625563u);
  EXPECT_EQ(stat->total.iowait, 0u);
  EXPECT_EQ(stat->total.irq, 0u);
  EXPECT_EQ(stat->total.softirq, 0u);
  EXPECT_EQ(stat->total.steal, 0u);
  EXPECT_EQ(stat->cores, 1);
}

TEST(ParseProcStatTest, SevenFieldCpuLineLeavesStealZero) {
  // Linux 2.6.0-2.6.10: up to softirq, no steal.
  auto stat = ParseProcStat("cpu  1 2 3 4 5 6 7\nbtime 9\n");
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->total.softirq, 7u);
  EXPECT_EQ(stat->total.steal, 0u);
}

TEST(ParseProcStatTest, CpuLineWithFewerThanFourValuesIsAnError) {
  auto stat = ParseProcStat("cpu  1754 0 1522\nbtime 1795836882\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("stat: malformed cpu line"));
  EXPECT_THAT(stat.error(), HasSubstr("3 values"));
}

TEST(ParseProcStatTest, MissingCpuLineIsAnError) {
  auto stat = ParseProcStat("cpu0 704 0 612 21974 4 0 5 2 0 0\nbtime 1795836882\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.error(), "stat: cpu line missing");
}

TEST(ParseProcStatTest, MissingBtimeIsAnError) {
  auto stat = ParseProcStat("cpu  1754 0 1522 42901 357 0 25 8 0 0\nctxt 268695\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.error(), "stat: btime missing");
}

TEST(ParseProcStatTest, MalformedCpuValueIsAnError) {
  auto stat = ParseProcStat("cpu  1754 0 15x2 42901 357 0 25 8 0 0\nbtime 1\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("stat: malformed cpu line value: \"15x2\""));
}

TEST(ParseProcStatTest, NegativeCpuValueIsAnError) {
  auto stat = ParseProcStat("cpu  1754 -1 1522 42901\nbtime 1\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("malformed cpu line value: \"-1\""));
}

TEST(ParseProcStatTest, MalformedBtimeIsAnError) {
  auto stat = ParseProcStat("cpu  1 2 3 4\nbtime 17958x6882\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("stat: malformed btime: \"17958x6882\""));

  auto empty = ParseProcStat("cpu  1 2 3 4\nbtime \n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("malformed btime"));

  auto extra = ParseProcStat("cpu  1 2 3 4\nbtime 17 95\n");
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.error(), HasSubstr("malformed btime line"));
}

TEST(ParseProcStatTest, TruncatedMidLineIsAnError) {
  // Cut inside the intr line: btime never arrives.
  std::string_view cut = kProcStat.substr(0, kProcStat.find("intr") + 20);
  auto stat = ParseProcStat(cut);
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.error(), "stat: btime missing");
}

TEST(ParseProcStatTest, TruncatedMidNumberIsAnError) {
  // Cut inside btime's number: "btime 17958" would be a wrong boot time, not a value.
  std::string_view cut = kProcStat.substr(0, kProcStat.find("btime") + 11);
  ASSERT_TRUE(cut.ends_with("btime 17958"));
  auto stat = ParseProcStat(cut);
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("stat: truncated btime line"));

  // Cut inside the cpu line's idle value.
  auto cpu = ParseProcStat("cpu  1754 0 1522 429");
  ASSERT_FALSE(cpu.ok());
  EXPECT_THAT(cpu.error(), HasSubstr("stat: truncated cpu line"));
}

TEST(ParseProcStatTest, EmptyInputIsAnError) {
  auto stat = ParseProcStat("");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.error(), "stat: cpu line missing");
  EXPECT_FALSE(ParseProcStat("\n\n").ok());
}

TEST(ParseProcStatTest, HugeValuesAndOverflow) {
  auto max = ParseProcStat("cpu  18446744073709551615 0 0 0\nbtime 18446744073709551615\n");
  ASSERT_TRUE(max.ok()) << max.error();
  EXPECT_EQ(max->total.user, kMaxU64);
  EXPECT_EQ(max->boot_time, kMaxU64);

  auto cpu = ParseProcStat("cpu  18446744073709551616 0 0 0\nbtime 1\n");
  ASSERT_FALSE(cpu.ok());
  EXPECT_THAT(cpu.error(),
              HasSubstr("stat: cpu line value out of range: \"18446744073709551616\""));

  auto btime = ParseProcStat("cpu  1 0 0 0\nbtime 99999999999999999999999\n");
  ASSERT_FALSE(btime.ok());
  EXPECT_THAT(btime.error(), HasSubstr("stat: btime out of range"));
}

TEST(ParseProcStatTest, IgnoresLinesThatOnlyStartLikeKeys) {
  // "cpufreq"/"btimer" are not the lines we want; the first "cpu " line wins.
  auto stat = ParseProcStat("cpufreq 9 9 9 9\ncpu  1 2 3 4\ncpu  5 6 7 8\nbtimer x\nbtime 42\n");
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->total.user, 1u);
  EXPECT_EQ(stat->boot_time, 42u);
  EXPECT_EQ(stat->cores, 0);
}

// ---------------------------------------------------------------------------------------------
// /proc/meminfo

TEST(ParseMeminfoTest, ParsesRealKernelOutputInBytes) {
  auto mem = ParseMeminfo(kMeminfo);
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->total_bytes, 24684084ull * 1024);
  EXPECT_EQ(mem->free_bytes, 24514656ull * 1024);
  EXPECT_EQ(mem->available_bytes, 24432124ull * 1024);
  EXPECT_EQ(mem->buffers_bytes, 2024ull * 1024);
  EXPECT_EQ(mem->cached_bytes, 34960ull * 1024);
  EXPECT_EQ(mem->UsedBytes(), (24684084ull - 24432124ull) * 1024);
}

TEST(ParseMeminfoTest, CachedIsNotSwapCached) {
  auto mem =
      ParseMeminfo("MemTotal: 100 kB\nSwapCached: 77 kB\nMemAvailable: 50 kB\nCached: 30 kB\n");
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->cached_bytes, 30u * 1024);
}

TEST(ParseMeminfoTest, OptionalKeysDefaultToZero) {
  auto mem = ParseMeminfo("MemTotal:  2048 kB\nMemAvailable:  1024 kB");  // no final newline
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->total_bytes, 2048u * 1024);
  EXPECT_EQ(mem->available_bytes, 1024u * 1024);
  EXPECT_EQ(mem->free_bytes, 0u);
  EXPECT_EQ(mem->buffers_bytes, 0u);
  EXPECT_EQ(mem->cached_bytes, 0u);
}

TEST(ParseMeminfoTest, MissingMemAvailableIsAnError) {
  // Linux < 3.14 had no MemAvailable.
  auto mem = ParseMeminfo(
      "MemTotal:        1017552 kB\nMemFree:          150084 kB\n"
      "Buffers:           76296 kB\nCached:           614396 kB\n");
  ASSERT_FALSE(mem.ok());
  EXPECT_THAT(mem.error(), HasSubstr("meminfo: MemAvailable missing"));
}

TEST(ParseMeminfoTest, MissingMemTotalIsAnError) {
  auto mem = ParseMeminfo("MemFree: 1 kB\nMemAvailable: 2 kB\n");
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.error(), "meminfo: MemTotal missing");
}

TEST(ParseMeminfoTest, MalformedNumberIsAnError) {
  auto mem = ParseMeminfo("MemTotal:       2468x084 kB\nMemAvailable: 1 kB\n");
  ASSERT_FALSE(mem.ok());
  EXPECT_THAT(mem.error(), HasSubstr("meminfo: malformed MemTotal: \"2468x084\""));

  auto negative = ParseMeminfo("MemTotal: 10 kB\nMemAvailable: -1 kB\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error(), HasSubstr("malformed MemAvailable: \"-1\""));

  auto empty = ParseMeminfo("MemTotal:\nMemAvailable: 1 kB\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("malformed MemTotal"));
}

TEST(ParseMeminfoTest, WrongOrExtraUnitIsAnError) {
  auto mb = ParseMeminfo("MemTotal: 24 MB\nMemAvailable: 1 kB\n");
  ASSERT_FALSE(mb.ok());
  EXPECT_THAT(mb.error(), HasSubstr("meminfo: MemTotal has no kB unit"));

  auto extra = ParseMeminfo("MemTotal: 24 kB kB\nMemAvailable: 1 kB\n");
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.error(), HasSubstr("meminfo: malformed MemTotal"));
}

TEST(ParseMeminfoTest, IgnoresMalformedLinesItDoesNotRead) {
  auto mem = ParseMeminfo("MemTotal: 10 kB\nMemAvailable: 5 kB\nWeird line\nSlab: x kB\n");
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->total_bytes, 10240u);
}

TEST(ParseMeminfoTest, TruncatedMidLineIsAnError) {
  std::string_view cut = kMeminfo.substr(0, kMeminfo.find("MemAvailable") + 6);
  auto mem = ParseMeminfo(cut);
  ASSERT_FALSE(mem.ok());
  EXPECT_THAT(mem.error(), HasSubstr("meminfo: MemAvailable missing"));
}

TEST(ParseMeminfoTest, TruncatedMidNumberIsAnError) {
  // "MemAvailable:   2443" is cut off: without its unit it is not taken as 2443 kB.
  std::string_view cut = kMeminfo.substr(0, kMeminfo.find("MemAvailable") + 20);
  ASSERT_TRUE(cut.ends_with("MemAvailable:   2443"));
  auto mem = ParseMeminfo(cut);
  ASSERT_FALSE(mem.ok());
  EXPECT_THAT(mem.error(), HasSubstr("meminfo: MemAvailable has no kB unit"));

  // Cut between the number and its unit.
  auto unit = ParseMeminfo("MemTotal: 24684084 k");
  ASSERT_FALSE(unit.ok());
  EXPECT_THAT(unit.error(), HasSubstr("MemTotal has no kB unit"));
}

TEST(ParseMeminfoTest, EmptyInputIsAnError) {
  auto mem = ParseMeminfo("");
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.error(), "meminfo: MemTotal missing");
}

TEST(ParseMeminfoTest, HugeValuesAndOverflow) {
  // The largest kB value that still fits in 64-bit bytes.
  const uint64_t max_kb = kMaxU64 / 1024;
  auto max = ParseMeminfo("MemTotal: " + std::to_string(max_kb) + " kB\nMemAvailable: 0 kB\n");
  ASSERT_TRUE(max.ok()) << max.error();
  EXPECT_EQ(max->total_bytes, max_kb * 1024);
  EXPECT_EQ(max->UsedBytes(), max_kb * 1024);

  auto over = ParseMeminfo("MemTotal: " + std::to_string(max_kb + 1) + " kB\nMemAvailable: 0 kB\n");
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.error(), HasSubstr("meminfo: MemTotal overflows 64-bit bytes"));

  auto huge = ParseMeminfo("MemTotal: 184467440737095516160 kB\nMemAvailable: 0 kB\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.error(), HasSubstr("meminfo: MemTotal out of range"));
}

TEST(ParseMeminfoTest, UsedBytesNeverWrapsBelowZero) {
  auto mem = ParseMeminfo("MemTotal: 10 kB\nMemAvailable: 20 kB\n");
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->UsedBytes(), 0u);
}

// ---------------------------------------------------------------------------------------------
// /proc/loadavg

TEST(ParseLoadavgTest, ParsesRealKernelOutput) {
  auto load = ParseLoadavg("0.52 0.58 0.59 1/467 12345\n");
  ASSERT_TRUE(load.ok()) << load.error();
  EXPECT_DOUBLE_EQ(load->load1, 0.52);
  EXPECT_DOUBLE_EQ(load->load5, 0.58);
  EXPECT_DOUBLE_EQ(load->load15, 0.59);
}

TEST(ParseLoadavgTest, AcceptsMissingNewlineAndBigLoads) {
  auto load = ParseLoadavg("112.04 97.51 60.00 230/1934 4022731");
  ASSERT_TRUE(load.ok()) << load.error();
  EXPECT_DOUBLE_EQ(load->load1, 112.04);
  EXPECT_DOUBLE_EQ(load->load15, 60.0);
}

TEST(ParseLoadavgTest, EmptyInputIsAnError) {
  auto load = ParseLoadavg("");
  ASSERT_FALSE(load.ok());
  EXPECT_THAT(load.error(), HasSubstr("loadavg: expected 5 fields, got 0"));
}

TEST(ParseLoadavgTest, TruncatedInputIsAnError) {
  auto mid_number = ParseLoadavg("0.52 0.5");
  ASSERT_FALSE(mid_number.ok());
  EXPECT_THAT(mid_number.error(), HasSubstr("expected 5 fields, got 2"));

  auto mid_tasks = ParseLoadavg("0.52 0.58 0.59 1/");
  ASSERT_FALSE(mid_tasks.ok());
  EXPECT_THAT(mid_tasks.error(), HasSubstr("got 4"));
}

TEST(ParseLoadavgTest, MalformedValuesAreErrors) {
  auto text = ParseLoadavg("0.52 abc 0.59 1/467 12345\n");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.error(), HasSubstr("loadavg: malformed load5: \"abc\""));

  auto comma = ParseLoadavg("0,52 0.58 0.59 1/467 12345\n");
  ASSERT_FALSE(comma.ok());
  EXPECT_THAT(comma.error(), HasSubstr("malformed load1"));

  for (std::string_view bad : {"-0.5", "nan", "inf", "0x1p3"}) {
    auto load = ParseLoadavg(std::string(bad) + " 0.58 0.59 1/467 12345\n");
    ASSERT_FALSE(load.ok()) << bad;
    EXPECT_THAT(load.error(), HasSubstr("malformed load1")) << bad;
  }

  auto tasks = ParseLoadavg("0.52 0.58 0.59 1467 12345\n");
  ASSERT_FALSE(tasks.ok());
  EXPECT_THAT(tasks.error(), HasSubstr("loadavg: malformed runnable/total tasks: \"1467\""));

  auto pid = ParseLoadavg("0.52 0.58 0.59 1/467 12x45\n");
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.error(), HasSubstr("malformed last pid"));
}

TEST(ParseLoadavgTest, ExtraFieldsAndOverflowAreErrors) {
  auto extra = ParseLoadavg("0.52 0.58 0.59 1/467 12345 7\n");
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.error(), HasSubstr("loadavg: more than 5 fields"));

  auto huge = ParseLoadavg("1e400 0.58 0.59 1/467 12345\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.error(), HasSubstr("loadavg: load1 out of range: \"1e400\""));
}

// ---------------------------------------------------------------------------------------------
// /proc/uptime

TEST(ParseUptimeTest, ParsesRealKernelOutput) {
  auto up = ParseUptime("350735.47 234388.90\n");
  ASSERT_TRUE(up.ok()) << up.error();
  EXPECT_DOUBLE_EQ(up->uptime_seconds, 350735.47);
  EXPECT_DOUBLE_EQ(up->idle_seconds, 234388.90);
}

TEST(ParseUptimeTest, IdleMayExceedUptimeOnManyCores) {
  auto up = ParseUptime("234.13 429.01");
  ASSERT_TRUE(up.ok()) << up.error();
  EXPECT_DOUBLE_EQ(up->uptime_seconds, 234.13);
  EXPECT_DOUBLE_EQ(up->idle_seconds, 429.01);
}

TEST(ParseUptimeTest, EmptyOrTruncatedInputIsAnError) {
  auto empty = ParseUptime("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("uptime: expected 2 fields"));

  auto cut = ParseUptime("350735.4");
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.error(), HasSubstr("uptime: expected 2 fields"));
}

TEST(ParseUptimeTest, MalformedValuesAreErrors) {
  auto text = ParseUptime("350735.47s 234388.90\n");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.error(), HasSubstr("uptime: malformed uptime: \"350735.47s\""));

  auto negative = ParseUptime("1.0 -2.0\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error(), HasSubstr("uptime: malformed idle time: \"-2.0\""));

  auto extra = ParseUptime("1.0 2.0 3.0\n");
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.error(), HasSubstr("uptime: more than 2 fields"));

  auto huge = ParseUptime("1e999 2.0\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.error(), HasSubstr("uptime: uptime out of range"));
}

// ---------------------------------------------------------------------------------------------
// The end-to-end fixture tree must parse, with the values its golden file is built on.

std::string ReadFixture(const std::string& name) {
  std::string path = std::string(UPKEEP_FIXTURES_DIR) + "/procfs/" + name;
  std::ifstream file(path);
  EXPECT_TRUE(file.is_open()) << "cannot open " << path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(ProcfsFixtureTest, ParsesWithTheExpectedValues) {
  auto stat = ParseProcStat(ReadFixture("stat"));
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->cores, 4);
  EXPECT_EQ(stat->boot_time, 1714557600u);
  EXPECT_EQ(stat->total.user, 4756100u);
  EXPECT_EQ(stat->total.idle, 115655731u);

  auto mem = ParseMeminfo(ReadFixture("meminfo"));
  ASSERT_TRUE(mem.ok()) << mem.error();
  EXPECT_EQ(mem->total_bytes, 16369420ull * 1024);
  EXPECT_EQ(mem->available_bytes, 11703552ull * 1024);

  auto load = ParseLoadavg(ReadFixture("loadavg"));
  ASSERT_TRUE(load.ok()) << load.error();
  EXPECT_DOUBLE_EQ(load->load1, 1.27);

  auto up = ParseUptime(ReadFixture("uptime"));
  ASSERT_TRUE(up.ok()) << up.error();
  EXPECT_DOUBLE_EQ(up->uptime_seconds, 305412.87);

  auto mounts = ParseMountInfo(ReadFixture("self/mountinfo"));
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 12u);
  bool found_space = false;
  bool found_bind = false;
  for (const MountInfo& m : *mounts) {
    if (m.mount_point == "/mnt/my disk") found_space = m.source == "/dev/vdb1";
    if (m.mount_point == "/srv/data") found_bind = m.root == "/data" && m.source == "/dev/vda1";
  }
  EXPECT_TRUE(found_space);
  EXPECT_TRUE(found_bind);
}

}  // namespace
}  // namespace upkeep
