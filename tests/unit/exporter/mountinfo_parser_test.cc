#include "exporter/mountinfo_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace upkeep {
namespace {

using ::testing::HasSubstr;

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

}  // namespace
}  // namespace upkeep
