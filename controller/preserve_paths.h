#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace upkeep {

// update.preserve: paths of the checkout (dependencies, a build) set aside before an update's
// first step and put back on rollback, so that the previous ones return without the network.
// Only rename(2) moves them: nothing is copied, and nothing from before the update is deleted.
//
// The aside directory holds, for each path, either the object itself (`<n>-<name>`) or, when
// the path was missing, an empty marker file (`<n>-<name>.absent`). Their presence is the whole
// state: "not yet restored". So a record can be persisted before SetAside, and Restore,
// however often it is repeated after a crash, finishes what is left and undoes nothing twice.

struct PreservedPath {
  std::string path;          // repo-relative, as configured ("node_modules", "web/dist")
  std::string aside;         // absolute: where it is kept while the update runs
  bool was_present = false;  // set by SetAside; informative (Restore looks at the files)

  bool operator==(const PreservedPath&) const = default;
};

struct PreserveRecord {
  std::string repo;
  std::string aside_dir;  // on the repo's filesystem, mode 0700, ours
  std::vector<PreservedPath> paths;

  bool operator==(const PreserveRecord&) const = default;
};

// Where to keep the paths of update `id`: state_dir/preserved/<id> when state_dir is on the
// repo's filesystem, else <repo's parent>/.upkeep-preserved-<id> (rename cannot cross
// filesystems). The pure rule: the devices (st_dev) of the three directories.
Result<std::string> ChooseAsideDir(const std::string& repo, const std::string& state_dir,
                                   const std::string& id, dev_t repo_dev, dev_t state_dev,
                                   dev_t parent_dev);
// The same, with the devices from stat(2).
Result<std::string> ChooseAsideDir(const std::string& repo, const std::string& state_dir,
                                   const std::string& id);

// The record for `paths` (repo-relative, no "..", no leading "/") without touching anything,
// so that the caller can persist it before SetAside.
Result<PreserveRecord> PlanPreserve(const std::string& repo, const std::vector<std::string>& paths,
                                    const std::string& aside_dir);

// Creates the aside directory and renames each path into it (fills was_present). Intermediate
// components are opened without following symlinks: the checkout belongs to update.user, and we
// may be root. On an error the paths already moved are put back and the error returned.
Status SetAside(PreserveRecord& record);
// PlanPreserve then SetAside.
Result<PreserveRecord> SetAside(const std::string& repo, const std::vector<std::string>& paths,
                                const std::string& aside_dir);

// On rollback: for each path still aside, whatever the failed update left at the path is
// renamed into the aside directory as <name>.discarded and removed, then the kept one renamed
// back (a path that was missing is made missing again). Removing is safe: the original was
// renamed away (or was absent) before the first step, so what is at the path now was made by
// the failed run (its checkout or steps); and once inside our 0700 directory, update.user can
// no longer swap anything in it under the removal. A second Restore is a no-op; one after an
// interrupted Restore finishes it. Removes the aside directory when it is empty.
Status Restore(const PreserveRecord& record);

// After a successful update: removes what was kept (the new paths stay) and the aside directory.
Status Discard(const PreserveRecord& record);

nlohmann::json PreserveRecordToJson(const PreserveRecord& record);
Result<PreserveRecord> PreserveRecordFromJson(const nlohmann::json& json);

}  // namespace upkeep
