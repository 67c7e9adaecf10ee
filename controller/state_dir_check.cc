#include "controller/state_dir_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "common/process_runner.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "update.state_dir: ";

Error Problem(const std::string& text) { return MakeError(std::string(kPrefix) + text); }

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Who a uid is, for messages: "uid 1000 (alice)", or "uid 1000" without a passwd entry.
struct User {
  uid_t uid = 0;
  std::string name;
  std::vector<gid_t> groups;  // primary and supplementary; empty without a passwd entry

  std::string Named() const {
    return "uid " + std::to_string(uid) + (name.empty() ? "" : " (" + name + ")");
  }
  bool InGroup(gid_t gid) const {
    return std::find(groups.begin(), groups.end(), gid) != groups.end();
  }
};

User LookUp(uid_t uid) {
  User user;
  user.uid = uid;
  Result<RunAs> found = ResolveUser(std::to_string(uid));
  if (found) {
    user.name = found->name;
    user.groups = found->groups;
    if (!user.InGroup(found->gid)) user.groups.push_back(found->gid);
  }
  return user;
}

// `inner` is `outer` or lies below it (both absolute and normal).
bool IsSameOrInside(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // the empty last element of a path ending in '/'
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

// The parent directories of `path` (absolute, normal), nearest first, "/" last.
std::vector<fs::path> ParentsOf(const fs::path& path) {
  std::vector<fs::path> parents;
  for (fs::path at = path.parent_path(); !at.empty(); at = at.parent_path()) {
    parents.push_back(at);
    if (at == at.root_path()) break;
  }
  return parents;
}

// Why `user` could rename entries of the directory `info` describes; empty when they cannot.
std::string WhyWritable(const struct stat& info, const User& user) {
  if (info.st_uid == user.uid) return "is owned by update.user " + user.Named();
  // Sticky: only an entry's owner (us), the directory's owner or root may rename an entry.
  if ((info.st_mode & S_ISVTX) != 0) return "";
  if ((info.st_mode & S_IWOTH) != 0) {
    return "is writable by everyone (mode " + OctalMode(info.st_mode) + "), update.user " +
           user.Named() + " too";
  }
  if ((info.st_mode & S_IWGRP) != 0 && user.InGroup(info.st_gid)) {
    return "is writable by its group (gid " + std::to_string(info.st_gid) +
           "), which update.user " + user.Named() + " is in";
  }
  return "";
}

Status CheckParents(const std::string& state_dir, const fs::path& given, const fs::path& resolved,
                    uid_t update_user_uid) {
  const User user = LookUp(update_user_uid);
  std::vector<fs::path> parents = ParentsOf(given);
  for (const fs::path& parent : ParentsOf(resolved)) {
    if (std::find(parents.begin(), parents.end(), parent) == parents.end()) {
      parents.push_back(parent);
    }
  }
  for (const fs::path& parent : parents) {
    struct stat info {};
    if (::lstat(parent.c_str(), &info) != 0) {
      return Problem("cannot check " + parent.string() + ", a parent of " + state_dir + ": " +
                     std::strerror(errno));
    }
    // A link's own mode means nothing: what can replace it is the directory holding it, a
    // parent checked in turn, and where it leads is on the real path, checked too.
    if (S_ISLNK(info.st_mode)) continue;
    const std::string why = WhyWritable(info, user);
    if (!why.empty()) {
      return Problem(parent.string() + " (a parent of " + state_dir + ") " + why +
                     ": they could rename the state directory away and put their own in its "
                     "place; fix: make it writable only by upkeep's user or root (chown, chmod "
                     "go-w " +
                     parent.string() + "), or put the state directory elsewhere");
    }
  }
  return OkStatus();
}

}  // namespace

Status CheckStateDir(const std::string& state_dir, const std::string& repo,
                     std::optional<uid_t> update_user_uid) {
  struct stat info {};
  if (::lstat(state_dir.c_str(), &info) != 0) {
    if (errno == ENOENT) return Problem(state_dir + " does not exist");
    return Problem("cannot check " + state_dir + ": " + std::strerror(errno));
  }
  if (S_ISLNK(info.st_mode)) {
    return Problem(state_dir + " is a symlink: give the directory's own path (a link could be " +
                   "pointed elsewhere)");
  }
  if (!S_ISDIR(info.st_mode)) return Problem(state_dir + " is not a directory");
  const uid_t self = ::geteuid();
  if (info.st_uid != self) {
    const User us = LookUp(self);
    return Problem(state_dir + " is owned by " + LookUp(info.st_uid).Named() +
                   ", not by upkeep's user " + us.Named() + "; fix: chown " +
                   (us.name.empty() ? std::to_string(self) : us.name) + " " + state_dir);
  }
  if ((info.st_mode & 0777) != 0700) {
    return Problem(state_dir + " has mode " + OctalMode(info.st_mode) +
                   ", it must be 0700 (only upkeep's user may read or change the update journal "
                   "and history); fix: chmod 700 " +
                   state_dir);
  }

  std::error_code error;
  const fs::path resolved = fs::canonical(state_dir, error);
  if (error) return Problem("cannot resolve " + state_dir + ": " + error.message());
  // The repo may be missing (the update check reports that); what of it exists is resolved.
  const fs::path resolved_repo = fs::weakly_canonical(repo, error);
  if (error) return Problem("cannot resolve update.repo " + repo + ": " + error.message());
  if (IsSameOrInside(resolved, resolved_repo)) {
    return Problem(state_dir + " lies inside update.repo " + repo + " (" + resolved.string() +
                   " in " + resolved_repo.string() +
                   "): the checkout and the steps could change or remove the journal and logs; "
                   "fix: put it elsewhere");
  }

  // Root can write anywhere: no directory protects us from an update.user of root, and a
  // non-root upkeep cannot run anything as root anyway.
  if (!update_user_uid || *update_user_uid == self || *update_user_uid == 0) return OkStatus();
  fs::path given = fs::absolute(state_dir, error).lexically_normal();
  if (error) return Problem("cannot resolve " + state_dir + ": " + error.message());
  if (!given.has_filename() && given.has_relative_path()) given = given.parent_path();  // "dir/"
  return CheckParents(state_dir, given, resolved, *update_user_uid);
}

}  // namespace upkeep
