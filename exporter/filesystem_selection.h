#pragma once

// Which mounts the filesystem collector reports. Pure functions over a parsed mount table
// (ParseMountInfo of /proc/self/mountinfo, in the kernel's order); no I/O.

#include <string>
#include <vector>

#include "exporter/procfs_parsers.h"

namespace upkeep {

// `filesystems: auto`: the real filesystems, in mount-table order, after these rules (the
// first two are node_exporter's default excludes):
//  1. Over-mounts: when a mount point appears more than once, only the last entry is kept,
//     since it hides the earlier ones and is the one statvfs sees.
//  2. Pseudo and container-internal mount points are dropped: /dev, /proc, /sys and
//     everything below them, and anything below /run/credentials/, /var/lib/docker/ and
//     /var/lib/containers/storage/ (container layers and secrets, not the host's disks).
//  3. Pseudo filesystem types are dropped (autofs, cgroup, overlay, proc, squashfs, ...; see
//     the .cc). tmpfs is kept, as node_exporter does: a full /run or /tmp matters.
//  4. Bind mounts: mounts of the same device (major:minor) report the same space, so only
//     one is kept: the first whose root is "/" (the filesystem's own root), otherwise the
//     first seen.
std::vector<MountInfo> SelectAutoFilesystems(const std::vector<MountInfo>& mounts);

// An explicit list such as {"/", "/data"}, in the configured order; the auto excludes do
// not apply (the admin asked for these). For each path:
//  - the visible (last) entry whose mount point is exactly that path (a trailing '/' is
//    ignored when matching);
//  - otherwise the mount that contains it (the longest mount point that is a prefix of the
//    path on whole path components, again the visible entry), so a directory that is not a
//    mount point reports the filesystem it lives on;
//  - otherwise (no "/" in the table: a broken procfs) device and fstype "unknown".
// The returned mount_point is always the configured path, so the metric label is what the
// admin wrote. A path listed twice (trailing '/' aside) is returned once, the first time.
std::vector<MountInfo> SelectConfiguredFilesystems(const std::vector<MountInfo>& mounts,
                                                   const std::vector<std::string>& mount_points);

}  // namespace upkeep
