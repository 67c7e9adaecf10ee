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

// /proc/1/stat of a real process (52 fields).
constexpr std::string_view kProcessStat =
    "1 (process_api) S 0 0 0 0 -1 4194560 34338 1079120 0 747 36 185 1655 1090 10 -10 13 0 "
    "24 42737664 3062 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 "
    "0 0 0 0 0 0\n";

// Builds a /proc/<pid>/stat line with the given comm and the fields from 3 on.
std::string ProcessStatLine(std::string_view comm) {
  return "4697 (" + std::string(comm) +
         ") R 4697 4697 3168 34816 4697 4194304 122 0 0 0 1234 567 0 0 20 0 1 0 38165 "
         "3133440 344 18446744073709551615 94750302928896 94750302948777 140730236543088 0 0 0 "
         "0 0 0 0 0 0 17 1 0 0 0 0 0 94750302964784 94750302966400 94750389280768 "
         "140730236545637 140730236545684 140730236545684 140730236547051 0\n";
}

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
// /proc/<pid>/stat

TEST(ParseProcessStatTest, ParsesRealKernelOutput) {
  auto stat = ParseProcessStat(kProcessStat);
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->utime_ticks, 36u);
  EXPECT_EQ(stat->stime_ticks, 185u);
  EXPECT_EQ(stat->start_time_ticks, 24u);
  EXPECT_EQ(stat->rss_pages, 3062);
}

TEST(ParseProcessStatTest, CommWithSpacesAndParentheses) {
  for (std::string_view comm :
       {"my proc", "a) R 1 2 3 (", "x)", ") ) )", "((", "tmux: server", "kworker/0:1-events"}) {
    auto stat = ParseProcessStat(ProcessStatLine(comm));
    ASSERT_TRUE(stat.ok()) << comm << ": " << stat.error();
    EXPECT_EQ(stat->utime_ticks, 1234u) << comm;
    EXPECT_EQ(stat->stime_ticks, 567u) << comm;
    EXPECT_EQ(stat->start_time_ticks, 38165u) << comm;
    EXPECT_EQ(stat->rss_pages, 344) << comm;
  }
}

TEST(ParseProcessStatTest, CommWithNewline) {
  // prctl(PR_SET_NAME) accepts a '\n', and /proc/<pid>/stat prints comm unescaped.
  auto stat = ParseProcessStat(ProcessStatLine("two\nlines"));
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->rss_pages, 344);
}

TEST(ParseProcessStatTest, MissingCommIsAnError) {
  auto stat = ParseProcessStat("4697 cat R 4697 4697\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: missing (comm)"));

  auto reversed = ParseProcessStat("4697 )cat( R 4697 4697\n");
  ASSERT_FALSE(reversed.ok());
  EXPECT_THAT(reversed.error(), HasSubstr("missing (comm)"));

  auto pid = ParseProcessStat("46x7 (cat) R 4697\n");
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.error(), HasSubstr("process stat: malformed pid"));
}

TEST(ParseProcessStatTest, EmptyInputIsAnError) {
  auto stat = ParseProcessStat("");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: missing (comm)"));
}

TEST(ParseProcessStatTest, TooFewFieldsIsAnError) {
  auto stat =
      ParseProcessStat("4697 (cat) R 4697 4697 3168 34816 4697 4194304 122 0 0 0 1234 567\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated: 15 fields, needs at least 24"));
}

TEST(ParseProcessStatTest, TruncatedMidLineIsAnError) {
  std::string line = ProcessStatLine("cat");
  auto stat = ParseProcessStat(std::string_view(line).substr(0, 40));
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated"));
}

TEST(ParseProcessStatTest, TruncatedMidNumberIsAnError) {
  // Cut inside rss ("344" -> "34"): nothing after it, not even a newline.
  std::string line = ProcessStatLine("cat");
  size_t rss_end = line.find(" 344 ") + 3;
  auto stat = ParseProcessStat(std::string_view(line).substr(0, rss_end));
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated after rss"));

  // The same 24 fields ended by a newline are complete.
  auto complete = ParseProcessStat(line.substr(0, rss_end + 1) + "\n");
  ASSERT_TRUE(complete.ok()) << complete.error();
  EXPECT_EQ(complete->rss_pages, 344);
}

TEST(ParseProcessStatTest, MalformedNumbersAreErrors) {
  std::string line = ProcessStatLine("cat");
  std::string bad_utime = line;
  bad_utime.replace(bad_utime.find(" 1234 "), 6, " 12a4 ");
  auto utime = ParseProcessStat(bad_utime);
  ASSERT_FALSE(utime.ok());
  EXPECT_THAT(utime.error(), HasSubstr("process stat: malformed utime: \"12a4\""));

  std::string bad_rss = line;
  bad_rss.replace(bad_rss.find(" 344 "), 5, " 3.4 ");
  auto rss = ParseProcessStat(bad_rss);
  ASSERT_FALSE(rss.ok());
  EXPECT_THAT(rss.error(), HasSubstr("process stat: malformed rss: \"3.4\""));

  std::string negative_start = line;
  negative_start.replace(negative_start.find(" 38165 "), 7, " -38165 ");
  auto start = ParseProcessStat(negative_start);
  ASSERT_FALSE(start.ok());
  EXPECT_THAT(start.error(), HasSubstr("malformed starttime"));
}

// /proc/self/statm of a running upkeep (Linux 6.x).
TEST(ParseProcessStatmTest, ParsesRealKernelOutput) {
  const auto statm = ParseProcessStatm("73391 2715 1921 418 0 68421 0\n");
  ASSERT_TRUE(statm.ok()) << statm.error();
  EXPECT_EQ(statm->size_pages, 73391u);
  EXPECT_EQ(statm->resident_pages, 2715u);
}

TEST(ParseProcessStatmTest, WrongFieldCountsAreErrors) {
  const auto few = ParseProcessStatm("73391 2715 1921\n");
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error(), "statm: expected 7 fields, got 3: \"73391 2715 1921\n\"");
  const auto many = ParseProcessStatm("1 2 3 4 5 6 7 8\n");
  ASSERT_FALSE(many.ok());
  EXPECT_THAT(many.error(), HasSubstr("more than 7 fields"));
  EXPECT_FALSE(ParseProcessStatm("").ok());
}

TEST(ParseProcessStatmTest, MalformedNumbersNameTheField) {
  const auto resident = ParseProcessStatm("73391 27x5 1921 418 0 68421 0\n");
  ASSERT_FALSE(resident.ok());
  EXPECT_THAT(resident.error(), HasSubstr("resident"));
  const auto negative = ParseProcessStatm("-1 2715 1921 418 0 68421 0\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error(), HasSubstr("size"));
  EXPECT_FALSE(ParseProcessStatm("1 2 3 4 5 6 99999999999999999999999\n").ok());  // overflow
}

TEST(ParseProcessStatTest, HugeValuesAndOverflow) {
  std::string line = ProcessStatLine("cat");
  std::string max = line;
  max.replace(max.find(" 567 "), 5, " 18446744073709551615 ");
  auto stat = ParseProcessStat(max);
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->stime_ticks, kMaxU64);

  std::string over = line;
  over.replace(over.find(" 567 "), 5, " 18446744073709551616 ");
  auto overflow = ParseProcessStat(over);
  ASSERT_FALSE(overflow.ok());
  EXPECT_THAT(overflow.error(), HasSubstr("process stat: stime out of range"));

  std::string rss = line;
  rss.replace(rss.find(" 344 "), 5, " 9223372036854775808 ");
  auto rss_overflow = ParseProcessStat(rss);
  ASSERT_FALSE(rss_overflow.ok());
  EXPECT_THAT(rss_overflow.error(), HasSubstr("process stat: rss out of range"));
}

// ---------------------------------------------------------------------------------------------
// /proc/<pid>/mountinfo

TEST(ParseMountInfoTest, ParsesTheProc5Example) {
  auto mounts = ParseMountInfo(
      "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 1u);
  const MountInfo& m = mounts->front();
  EXPECT_EQ(m.device_id, "98:0");
  EXPECT_EQ(m.root, "/mnt1");
  EXPECT_EQ(m.mount_point, "/mnt2");
  EXPECT_EQ(m.fstype, "ext3");
  EXPECT_EQ(m.source, "/dev/root");
}

TEST(ParseMountInfoTest, ParsesRealKernelOutput) {
  auto mounts = ParseMountInfo(
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
      "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,nr_inodes=3083615,"
      "mode=755\n"
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resuid=65534,resgid=65534\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 5u);
  EXPECT_EQ((*mounts)[0].mount_point, "/proc");
  EXPECT_EQ((*mounts)[0].fstype, "proc");
  EXPECT_EQ((*mounts)[2].source, "devtmpfs");
  EXPECT_EQ((*mounts)[3].device_id, "254:0");
  EXPECT_EQ((*mounts)[3].mount_point, "/");
  EXPECT_EQ((*mounts)[3].source, "/dev/vda");
  EXPECT_EQ((*mounts)[4].fstype, "cgroup2");
}

TEST(ParseMountInfoTest, DecodesOctalEscapes) {
  // As the kernel wrote it for `mount -t tmpfs "my src" "/tmp/mnt test/a\b"`, plus a tab and
  // a newline.
  auto mounts = ParseMountInfo(
      "42 27 0:39 / /tmp/mnt\\040test/a\\134b rw,relatime - tmpfs my\\040src rw\n"
      "43 27 8:1 /dir\\011with\\012ctl /srv/x\\040y rw shared:3 - ext4 /dev/disk/by-label/a\\040b "
      "rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].mount_point, "/tmp/mnt test/a\\b");
  EXPECT_EQ((*mounts)[0].source, "my src");
  EXPECT_EQ((*mounts)[1].root, "/dir\twith\nctl");
  EXPECT_EQ((*mounts)[1].mount_point, "/srv/x y");
  EXPECT_EQ((*mounts)[1].source, "/dev/disk/by-label/a b");
}

TEST(ParseMountInfoTest, KeepsBackslashesThatAreNotEscapes) {
  // Not three octal digits, or above \377: kept as written rather than guessed at.
  auto mounts = ParseMountInfo("1 0 8:1 / /a\\09x\\8\\400\\04 rw - ext4 /dev/sda1\\ rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  EXPECT_EQ(mounts->front().mount_point, "/a\\09x\\8\\400\\04");
  EXPECT_EQ(mounts->front().source, "/dev/sda1\\");
}

TEST(ParseMountInfoTest, EscapedSeparatorInMountPointIsNotTheSeparator) {
  auto mounts = ParseMountInfo("70 26 8:17 / /mnt/a\\040-\\040b rw - ext4 /dev/sdb1 rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  EXPECT_EQ(mounts->front().mount_point, "/mnt/a - b");
  EXPECT_EQ(mounts->front().fstype, "ext4");
}

TEST(ParseMountInfoTest, MultipleOptionalFields) {
  auto mounts = ParseMountInfo(
      "43 27 0:39 /data /tmp/pb rw,relatime shared:2 master:1 - tmpfs src rw\n"
      "44 27 0:40 / /x rw shared:5 master:1 propagate_from:2 unbindable - xfs /dev/vdc rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].root, "/data");
  EXPECT_EQ((*mounts)[0].mount_point, "/tmp/pb");
  EXPECT_EQ((*mounts)[0].fstype, "tmpfs");
  EXPECT_EQ((*mounts)[0].source, "src");
  EXPECT_EQ((*mounts)[1].fstype, "xfs");
  EXPECT_EQ((*mounts)[1].source, "/dev/vdc");
}

TEST(ParseMountInfoTest, NoOptionalFields) {
  auto mounts = ParseMountInfo(
      "530 26 0:61 / /var/lib/docker/overlay2/abc/merged rw,relatime - overlay overlay "
      "rw,lowerdir=/var/lib/docker/overlay2/l/QZ7K:/var/lib/docker/overlay2/l/H3LP,"
      "upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  EXPECT_EQ(mounts->front().mount_point, "/var/lib/docker/overlay2/abc/merged");
  EXPECT_EQ(mounts->front().fstype, "overlay");
  EXPECT_EQ(mounts->front().source, "overlay");
}

TEST(ParseMountInfoTest, NetworkAndFuseSources) {
  auto mounts = ParseMountInfo(
      "412 26 0:52 / /mnt/nfs rw,relatime shared:224 - nfs4 server:/export rw,vers=4.2\n"
      "413 26 0:53 / /mnt/ssh rw,nosuid,nodev - fuse.sshfs me@host:/home/me rw,user_id=1000\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  EXPECT_EQ((*mounts)[0].fstype, "nfs4");
  EXPECT_EQ((*mounts)[0].source, "server:/export");
  EXPECT_EQ((*mounts)[1].fstype, "fuse.sshfs");
  EXPECT_EQ((*mounts)[1].source, "me@host:/home/me");
}

TEST(ParseMountInfoTest, EmptySourceStaysEmpty) {
  // `mount -t tmpfs "" /mnt/e`: the kernel writes an empty field between two spaces.
  auto mounts = ParseMountInfo("50 27 0:45 / /mnt/e rw,relatime - tmpfs  rw,inode64\n");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  EXPECT_EQ(mounts->front().fstype, "tmpfs");
  EXPECT_EQ(mounts->front().source, "");
}

TEST(ParseMountInfoTest, SkipsBlankLinesAndAcceptsMissingFinalNewline) {
  auto mounts = ParseMountInfo(
      "\n22 27 0:21 / /proc rw - proc proc rw\n\n  \n"
      "23 27 0:22 / /sys rw - sysfs sysfs rw");
  ASSERT_TRUE(mounts.ok()) << mounts.error();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[1].mount_point, "/sys");
}

TEST(ParseMountInfoTest, MissingSeparatorIsAnErrorNamingTheLine) {
  auto mounts = ParseMountInfo(
      "22 27 0:21 / /proc rw - proc proc rw\n"
      "\n"
      "23 27 0:22 / /sys rw,relatime sysfs sysfs rw\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_THAT(mounts.error(), HasSubstr("mountinfo line 3: missing '-' separator"));
  EXPECT_THAT(mounts.error(), HasSubstr("/sys"));
}

TEST(ParseMountInfoTest, TooFewFieldsIsAnError) {
  auto before = ParseMountInfo("22 27 0:21 / /proc\n");
  ASSERT_FALSE(before.ok());
  EXPECT_THAT(before.error(), HasSubstr("mountinfo line 1: too few fields"));

  auto after = ParseMountInfo("22 27 0:21 / /proc rw - proc proc\n");
  ASSERT_FALSE(after.ok());
  EXPECT_THAT(after.error(),
              HasSubstr("mountinfo line 1: needs fstype, source and super options after '-'"));

  auto no_fstype = ParseMountInfo("22 27 0:21 / /proc rw -  proc rw\n");
  ASSERT_FALSE(no_fstype.ok());
  EXPECT_THAT(no_fstype.error(), HasSubstr("mountinfo line 1: empty fstype"));
}

TEST(ParseMountInfoTest, MalformedNumbersAreErrors) {
  auto id = ParseMountInfo("x2 27 0:21 / /proc rw - proc proc rw\n");
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.error(), HasSubstr("mountinfo line 1: malformed mount id"));

  auto parent = ParseMountInfo("22 -1 0:21 / /proc rw - proc proc rw\n");
  ASSERT_FALSE(parent.ok());
  EXPECT_THAT(parent.error(), HasSubstr("malformed parent id"));

  for (std::string_view device : {"021", "0:", ":21", "a:b", "0:21:3"}) {
    auto mounts = ParseMountInfo("22 27 " + std::string(device) + " / /proc rw - proc proc rw\n");
    ASSERT_FALSE(mounts.ok()) << device;
    EXPECT_THAT(mounts.error(), HasSubstr("malformed major:minor")) << device;
  }

  auto huge = ParseMountInfo("99999999999999999999 27 0:21 / /proc rw - proc proc rw\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.error(), HasSubstr("malformed mount id"));
}

TEST(ParseMountInfoTest, DoubleSpaceBeforeTheMountPointIsAnError) {
  auto mounts = ParseMountInfo("22 27 0:21 /  /proc rw - proc proc rw\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_THAT(mounts.error(), HasSubstr("mountinfo line 1: empty root or mount point"));
}

TEST(ParseMountInfoTest, TruncatedMidLineIsAnError) {
  auto mounts = ParseMountInfo(
      "22 27 0:21 / /proc rw - proc proc rw\n"
      "23 27 0:22 / /sys rw,rela");
  ASSERT_FALSE(mounts.ok());
  EXPECT_THAT(mounts.error(), HasSubstr("mountinfo line 2: missing '-' separator"));

  auto mid_number = ParseMountInfo("22 27 0:21 / /proc rw - proc proc rw\n2");
  ASSERT_FALSE(mid_number.ok());
  EXPECT_THAT(mid_number.error(), HasSubstr("mountinfo line 2: too few fields"));
}

TEST(ParseMountInfoTest, EmptyInputIsAnError) {
  auto empty = ParseMountInfo("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("mountinfo: no mounts"));

  auto blank = ParseMountInfo("\n \n");
  ASSERT_FALSE(blank.ok());
  EXPECT_THAT(blank.error(), HasSubstr("mountinfo: no mounts"));
}

TEST(ParseMountInfoTest, LongLinesAreCutInErrors) {
  std::string line = "22 27 0:21 / /" + std::string(5000, 'a') + " rw proc proc rw\n";
  auto mounts = ParseMountInfo(line);
  ASSERT_FALSE(mounts.ok());
  EXPECT_THAT(mounts.error(), HasSubstr("missing '-' separator"));
  EXPECT_LT(mounts.error().size(), 200u);
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
