#include "exporter/filesystem_selection.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upkeep {
namespace {

MountInfo Mount(std::string device_id, std::string root, std::string mount_point,
                std::string fstype, std::string source) {
  return MountInfo{std::move(device_id), std::move(root), std::move(mount_point), std::move(fstype),
                   std::move(source)};
}

std::vector<std::string> MountPoints(const std::vector<MountInfo>& mounts) {
  std::vector<std::string> out;
  for (const MountInfo& m : mounts) out.push_back(m.mount_point);
  return out;
}

using Strings = std::vector<std::string>;

TEST(SelectAutoFilesystemsTest, KeepsRealFilesystemsAndTmpfsInTableOrder) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("0:25", "/", "/run", "tmpfs", "tmpfs"),
      Mount("254:1", "/", "/boot/efi", "vfat", "/dev/vda15"),
      Mount("0:50", "/", "/mnt/nfs", "nfs4", "server:/export"),
      Mount("254:16", "/", "/data", "xfs", "/dev/vdb"),
  };
  std::vector<MountInfo> selected = SelectAutoFilesystems(mounts);
  EXPECT_EQ(MountPoints(selected), (Strings{"/", "/run", "/boot/efi", "/mnt/nfs", "/data"}));
  ASSERT_EQ(selected.size(), 5u);
  EXPECT_EQ(selected[3].source, "server:/export");
  EXPECT_EQ(selected[3].fstype, "nfs4");
  EXPECT_EQ(selected[3].device_id, "0:50");
}

TEST(SelectAutoFilesystemsTest, DropsEveryPseudoFsType) {
  const Strings pseudo = {"autofs",    "binfmt_misc", "bpf",    "cgroup",     "cgroup2",
                          "configfs",  "debugfs",     "devpts", "devtmpfs",   "fusectl",
                          "hugetlbfs", "iso9660",     "mqueue", "nsfs",       "overlay",
                          "proc",      "procfs",      "pstore", "rpc_pipefs", "securityfs",
                          "selinuxfs", "squashfs",    "sysfs",  "tracefs"};
  std::vector<MountInfo> mounts = {Mount("254:0", "/", "/", "ext4", "/dev/vda1")};
  for (size_t i = 0; i < pseudo.size(); ++i) {
    // Mount points outside the excluded directories, so only the type can drop them.
    mounts.push_back(Mount("0:" + std::to_string(100 + i), "/", "/mnt/m" + std::to_string(i),
                           pseudo[i], "none"));
  }
  EXPECT_EQ(MountPoints(SelectAutoFilesystems(mounts)), (Strings{"/"}));
}

TEST(SelectAutoFilesystemsTest, DropsPseudoAndContainerMountPoints) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      // Dropped: at or below /dev, /proc, /sys, whatever the type.
      Mount("0:5", "/", "/dev", "tmpfs", "udev"),
      Mount("0:23", "/", "/dev/shm", "tmpfs", "tmpfs"),
      Mount("0:30", "/", "/proc/fs/nfsd", "ext4", "/dev/vdc"),
      Mount("0:28", "/", "/sys/fs/cgroup", "tmpfs", "tmpfs"),
      // Dropped: strictly below /run/credentials, /var/lib/docker,
      // /var/lib/containers/storage.
      Mount("0:40", "/", "/run/credentials/systemd-journald.service", "tmpfs", "none"),
      Mount("0:41", "/", "/var/lib/docker/volumes/pg", "ext4", "/dev/vdd"),
      Mount("0:42", "/", "/var/lib/containers/storage/vfs", "xfs", "/dev/vde"),
      // Kept: the directories themselves, and names that only share a prefix.
      Mount("0:60", "/", "/run/credentials", "tmpfs", "tmpfs"),
      Mount("254:32", "/", "/var/lib/docker", "xfs", "/dev/vdf"),
      Mount("254:48", "/", "/var/lib/containers", "xfs", "/dev/vdg"),
      Mount("254:64", "/", "/devices", "ext4", "/dev/vdh"),
      Mount("254:80", "/", "/system", "ext4", "/dev/vdi"),
      Mount("254:96", "/", "/var/lib/dockerfiles", "ext4", "/dev/vdj"),
  };
  EXPECT_EQ(MountPoints(SelectAutoFilesystems(mounts)),
            (Strings{"/", "/run/credentials", "/var/lib/docker", "/var/lib/containers", "/devices",
                     "/system", "/var/lib/dockerfiles"}));
}

TEST(SelectAutoFilesystemsTest, DropsDockerHostOverlaysAndNetns) {
  // A Docker host's table with one running container.
  std::vector<MountInfo> mounts = {
      Mount("254:1", "/", "/", "ext4", "/dev/sda1"),
      Mount("0:22", "/", "/proc", "proc", "proc"),
      Mount("0:25", "/", "/run", "tmpfs", "tmpfs"),
      Mount("0:54", "/", "/var/lib/docker/overlay2/3f1c/merged", "overlay", "overlay"),
      Mount("0:4", "net:[4026532291]", "/run/docker/netns/9a2e", "nsfs", "nsfs"),
      Mount("0:55", "/", "/var/lib/docker/containers/3f1c/mounts/shm", "tmpfs", "shm"),
  };
  EXPECT_EQ(MountPoints(SelectAutoFilesystems(mounts)), (Strings{"/", "/run"}));
}

TEST(SelectAutoFilesystemsTest, DropsOverlayRootInsideAContainer) {
  // Seen from inside a container: "/" is the overlay, the bind-mounted files come from the
  // host's disk (all one device, none of them its root: the first one is kept).
  std::vector<MountInfo> mounts = {
      Mount("0:54", "/", "/", "overlay", "overlay"),
      Mount("254:1", "/var/lib/docker/containers/3f1c/resolv.conf", "/etc/resolv.conf", "ext4",
            "/dev/sda1"),
      Mount("254:1", "/var/lib/docker/containers/3f1c/hostname", "/etc/hostname", "ext4",
            "/dev/sda1"),
      Mount("254:1", "/var/lib/docker/containers/3f1c/hosts", "/etc/hosts", "ext4", "/dev/sda1"),
  };
  EXPECT_EQ(MountPoints(SelectAutoFilesystems(mounts)), (Strings{"/etc/resolv.conf"}));
}

TEST(SelectAutoFilesystemsTest, KeepsOneMountPerDevicePreferringItsRoot) {
  std::vector<MountInfo> mounts = {
      // The root comes first: the later bind mount of a subdirectory is dropped.
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("254:0", "/home/www", "/srv/www", "ext4", "/dev/vda1"),
      // A bind mount of a subdirectory comes first, the device's root later: the root wins,
      // even though it comes second.
      Mount("254:16", "/export", "/exports/data", "xfs", "/dev/vdb"),
      Mount("254:16", "/", "/data", "xfs", "/dev/vdb"),
      // Only subdirectories of this device are mounted: the first one seen is kept.
      Mount("254:32", "/a", "/mnt/a", "xfs", "/dev/vdc"),
      Mount("254:32", "/b", "/mnt/b", "xfs", "/dev/vdc"),
      // Two mounts of the device's root: the first is kept.
      Mount("254:48", "/", "/backup", "ext4", "/dev/vdd"),
      Mount("254:48", "/", "/backup-again", "ext4", "/dev/vdd"),
  };
  std::vector<MountInfo> selected = SelectAutoFilesystems(mounts);
  EXPECT_EQ(MountPoints(selected), (Strings{"/", "/data", "/mnt/a", "/backup"}));
}

TEST(SelectAutoFilesystemsTest, KeepsOnlyTheVisibleMountOfAnOverMountedPoint) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      // /mnt/share is first a local disk, then an NFS export over it: NFS is what is seen.
      Mount("254:16", "/", "/mnt/share", "ext4", "/dev/vdb"),
      Mount("0:50", "/", "/mnt/share", "nfs4", "server:/share"),
      // The hidden mount does not claim its device: /mnt/disk (same device) stays.
      Mount("254:16", "/", "/mnt/disk", "ext4", "/dev/vdb"),
      // The visible mount is a pseudo fs: the point is dropped, the hidden one not restored.
      Mount("254:32", "/", "/media", "ext4", "/dev/vdc"),
      Mount("0:60", "/", "/media", "autofs", "systemd-1"),
  };
  std::vector<MountInfo> selected = SelectAutoFilesystems(mounts);
  EXPECT_EQ(MountPoints(selected), (Strings{"/", "/mnt/share", "/mnt/disk"}));
  ASSERT_EQ(selected.size(), 3u);
  EXPECT_EQ(selected[1].fstype, "nfs4");
  EXPECT_EQ(selected[1].source, "server:/share");
  EXPECT_EQ(selected[2].source, "/dev/vdb");
}

TEST(SelectAutoFilesystemsTest, EmptyTableSelectsNothing) {
  EXPECT_TRUE(SelectAutoFilesystems({}).empty());
}

TEST(SelectConfiguredFilesystemsTest, PicksExactMountPointsInConfiguredOrder) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("254:16", "/", "/data", "xfs", "/dev/vdb"),
      Mount("0:25", "/", "/run", "tmpfs", "tmpfs"),
  };
  std::vector<MountInfo> selected = SelectConfiguredFilesystems(mounts, {"/data", "/"});
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0].mount_point, "/data");
  EXPECT_EQ(selected[0].source, "/dev/vdb");
  EXPECT_EQ(selected[0].fstype, "xfs");
  EXPECT_EQ(selected[1].mount_point, "/");
  EXPECT_EQ(selected[1].source, "/dev/vda1");
}

TEST(SelectConfiguredFilesystemsTest, PicksTheVisibleEntryOfAnOverMountedPoint) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("254:16", "/", "/mnt/share", "ext4", "/dev/vdb"),
      Mount("0:50", "/", "/mnt/share", "nfs4", "server:/share"),
  };
  std::vector<MountInfo> selected = SelectConfiguredFilesystems(mounts, {"/mnt/share"});
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].source, "server:/share");
  EXPECT_EQ(selected[0].fstype, "nfs4");
}

TEST(SelectConfiguredFilesystemsTest, PathThatIsNotAMountPointReportsItsContainingMount) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("254:16", "/", "/data", "xfs", "/dev/vdb"),
      Mount("254:32", "/", "/data/archive", "ext4", "/dev/vdc"),
  };
  std::vector<MountInfo> selected = SelectConfiguredFilesystems(
      mounts, {"/data/projects/render", "/database", "/data/archive/2024", "/srv"});
  ASSERT_EQ(selected.size(), 4u);
  // The longest containing mount point wins, and the label stays the configured path.
  EXPECT_EQ(selected[0].mount_point, "/data/projects/render");
  EXPECT_EQ(selected[0].source, "/dev/vdb");
  EXPECT_EQ(selected[0].device_id, "254:16");
  // "/data" is a string prefix of "/database" but not a path prefix: it lives on "/".
  EXPECT_EQ(selected[1].mount_point, "/database");
  EXPECT_EQ(selected[1].source, "/dev/vda1");
  EXPECT_EQ(selected[2].mount_point, "/data/archive/2024");
  EXPECT_EQ(selected[2].source, "/dev/vdc");
  EXPECT_EQ(selected[3].mount_point, "/srv");
  EXPECT_EQ(selected[3].source, "/dev/vda1");
  EXPECT_EQ(selected[3].fstype, "ext4");
}

TEST(SelectConfiguredFilesystemsTest, IgnoresTrailingSlashesAndDuplicates) {
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("254:16", "/", "/data", "xfs", "/dev/vdb"),
  };
  std::vector<MountInfo> selected =
      SelectConfiguredFilesystems(mounts, {"/data/", "/", "/data", "//"});
  // "/data" and "//" repeat "/data/" and "/" once trailing slashes are ignored.
  ASSERT_EQ(selected.size(), 2u);
  EXPECT_EQ(selected[0].mount_point, "/data/");  // as configured
  EXPECT_EQ(selected[0].source, "/dev/vdb");
  EXPECT_EQ(selected[1].mount_point, "/");
  EXPECT_EQ(selected[1].source, "/dev/vda1");
}

TEST(SelectConfiguredFilesystemsTest, NoContainingMountGivesUnknown) {
  std::vector<MountInfo> selected = SelectConfiguredFilesystems({}, {"/data"});
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].mount_point, "/data");
  EXPECT_EQ(selected[0].source, "unknown");
  EXPECT_EQ(selected[0].fstype, "unknown");
}

TEST(SelectConfiguredFilesystemsTest, DoesNotApplyTheAutoExcludes) {
  // An explicit list is the admin's choice: a tmpfs under /dev is reported if asked for.
  std::vector<MountInfo> mounts = {
      Mount("254:0", "/", "/", "ext4", "/dev/vda1"),
      Mount("0:23", "/", "/dev/shm", "tmpfs", "tmpfs"),
  };
  std::vector<MountInfo> selected = SelectConfiguredFilesystems(mounts, {"/dev/shm"});
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].fstype, "tmpfs");
}

}  // namespace
}  // namespace upkeep
