#include "controller/preserve_paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fd.h"
#include "common/text.h"

namespace upkeep {
namespace {

Error SystemError(const std::string& what, int error = errno) {
  return MakeError(what + ": " + std::strerror(error));
}

bool ExistsAt(int dir_fd, const std::string& name) {
  struct stat info {};
  return ::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
}

// The components of a repo-relative path, or an error for one that could leave the repo.
Result<std::vector<std::string>> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  for (const std::string& part : parts) {
    if (part.empty() || part == "." || part == "..") {
      return MakeError("preserve path " + Quote(path, 100) +
                       " must be relative to the repository, without empty, . or .. parts");
    }
  }
  return parts;
}

// The directory that holds `path`'s last component, opened below the repo without following
// a symlink (the checkout is update.user's; we may be root). An invalid Fd when a component is
// missing.
Result<Fd> OpenParent(const std::string& repo, const std::string& path, std::string& leaf) {
  Result<std::vector<std::string>> parts = Components(path);
  if (!parts) return MakeError(parts.error());
  Fd dir(::open(repo.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return SystemError("cannot open the repository " + repo);
  for (size_t i = 0; i + 1 < parts->size(); ++i) {
    Fd next(
        ::openat(dir.get(), (*parts)[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ENOENT) return Fd();
      return SystemError("cannot open " + (*parts)[i] + " of " + path + " in " + repo +
                         " (a symlink is not followed)");
    }
    dir = std::move(next);
  }
  leaf = parts->back();
  return dir;
}

// Our aside directory, opened without following a symlink and checked to be ours with mode
// 0700 (it may lie in a directory update.user can write). An invalid Fd when it does not exist.
Result<Fd> OpenAsideDir(const std::string& aside_dir) {
  Fd dir(::open(aside_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT) return Fd();
    return SystemError("cannot open " + aside_dir);
  }
  struct stat info {};
  if (::fstat(dir.get(), &info) != 0) return SystemError("cannot stat " + aside_dir);
  if (info.st_uid != ::geteuid() || (info.st_mode & 07777) != 0700) {
    return MakeError(aside_dir + " is not upkeep's own directory with mode 0700; not using it");
  }
  return dir;
}

// Removes `name` in `dir_fd` and everything below it, never following a symlink.
Status RemoveTreeAt(int dir_fd, const std::string& name) {
  struct stat info {};
  if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? OkStatus() : SystemError("cannot stat " + name);
  }
  if (!S_ISDIR(info.st_mode)) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0) return SystemError("cannot remove " + name);
    return OkStatus();
  }
  const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return SystemError("cannot open " + name);
  // A read-only directory (some packages ship them) cannot be emptied by a non-root owner.
  if ((info.st_mode & S_IRWXU) != S_IRWXU) ::fchmod(fd, (info.st_mode & 07777) | S_IRWXU);
  DIR* listing = ::fdopendir(fd);
  if (listing == nullptr) {
    ::close(fd);
    return SystemError("cannot list " + name);
  }
  std::vector<std::string> children;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string child = entry->d_name;
    if (child != "." && child != "..") children.push_back(child);
  }
  Status status = OkStatus();
  for (const std::string& child : children) {
    if (status = RemoveTreeAt(::dirfd(listing), child); !status) break;
  }
  ::closedir(listing);
  if (!status) return MakeError(name + "/" + status.error());
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0)
    return SystemError("cannot remove " + name);
  return OkStatus();
}

std::string AsideName(const PreservedPath& entry) {
  return std::filesystem::path(entry.aside).filename().string();
}

// Puts one path back (see Restore).
Status RestoreOne(const PreserveRecord& record, const PreservedPath& entry, int aside_fd) {
  const std::string name = AsideName(entry);
  const std::string absent = name + ".absent";
  const std::string discarded = name + ".discarded";
  const bool kept = ExistsAt(aside_fd, name);
  const bool marker = ExistsAt(aside_fd, absent);
  if (kept || marker) {
    std::string leaf;
    Result<Fd> parent = OpenParent(record.repo, entry.path, leaf);
    if (!parent) return MakeError(parent.error());
    if (!parent->valid() && kept) {
      return MakeError("cannot put " + entry.path + " back: its directory in " + record.repo +
                       " is gone (kept in " + entry.aside + ")");
    }
    if (parent->valid() && ExistsAt(parent->get(), leaf)) {
      if (Status removed = RemoveTreeAt(aside_fd, discarded); !removed) return removed;
      if (::renameat(parent->get(), leaf.c_str(), aside_fd, discarded.c_str()) != 0) {
        return SystemError("cannot move the update's " + entry.path + " out of the way");
      }
    }
    if (kept && ::renameat(aside_fd, name.c_str(), parent->get(), leaf.c_str()) != 0) {
      return SystemError("cannot rename " + entry.aside + " back to " + entry.path);
    }
    if (marker && ::unlinkat(aside_fd, absent.c_str(), 0) != 0) {
      return SystemError("cannot remove " + entry.aside + ".absent");
    }
  }
  if (Status removed = RemoveTreeAt(aside_fd, discarded); !removed) {
    return MakeError("cannot remove the update's " + entry.path + ": " + removed.error());
  }
  return OkStatus();
}

}  // namespace

Result<std::string> ChooseAsideDir(const std::string& repo, const std::string& state_dir,
                                   const std::string& id, dev_t repo_dev, dev_t state_dev,
                                   dev_t parent_dev) {
  if (state_dev == repo_dev) return (std::filesystem::path(state_dir) / "preserved" / id).string();
  const std::filesystem::path parent = std::filesystem::path(repo).lexically_normal().parent_path();
  if (parent_dev == repo_dev) return (parent / (".upkeep-preserved-" + id)).string();
  return MakeError("neither state_dir " + state_dir + " nor " + parent.string() +
                   " is on the filesystem of " + repo +
                   ", and the preserve paths can only be renamed within one");
}

Result<std::string> ChooseAsideDir(const std::string& repo, const std::string& state_dir,
                                   const std::string& id) {
  std::string trimmed = repo;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const std::string parent = std::filesystem::path(trimmed).parent_path().string();
  struct stat repo_info {
  }, state_info{}, parent_info{};
  if (::stat(trimmed.c_str(), &repo_info) != 0) return SystemError("cannot stat " + repo);
  if (::stat(state_dir.c_str(), &state_info) != 0) return SystemError("cannot stat " + state_dir);
  if (::stat(parent.c_str(), &parent_info) != 0) return SystemError("cannot stat " + parent);
  return ChooseAsideDir(trimmed, state_dir, id, repo_info.st_dev, state_info.st_dev,
                        parent_info.st_dev);
}

Result<PreserveRecord> PlanPreserve(const std::string& repo, const std::vector<std::string>& paths,
                                    const std::string& aside_dir) {
  PreserveRecord record{.repo = repo, .aside_dir = aside_dir, .paths = {}};
  for (size_t i = 0; i < paths.size(); ++i) {
    if (Result<std::vector<std::string>> parts = Components(paths[i]); !parts) {
      return MakeError(parts.error());
    }
    std::string flat = paths[i];
    for (char& c : flat) c = c == '/' ? '_' : c;
    record.paths.push_back(
        PreservedPath{.path = paths[i], .aside = aside_dir + "/" + std::to_string(i) + "-" + flat});
  }
  return record;
}

Status SetAside(PreserveRecord& record) {
  const std::filesystem::path dir(record.aside_dir);
  std::error_code error;
  std::filesystem::create_directories(dir.parent_path(), error);
  if (error)
    return MakeError("cannot create " + dir.parent_path().string() + ": " + error.message());
  if (::mkdir(record.aside_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return SystemError("cannot create " + record.aside_dir);
  }
  Result<Fd> aside = OpenAsideDir(record.aside_dir);
  if (!aside) return MakeError(aside.error());
  if (!aside->valid()) return MakeError(record.aside_dir + " vanished while being set up");
  for (size_t i = 0; i < record.paths.size(); ++i) {
    PreservedPath& entry = record.paths[i];
    const std::string name = AsideName(entry);
    std::string leaf;
    Result<Fd> parent = OpenParent(record.repo, entry.path, leaf);
    Status moved = OkStatus();
    if (!parent) {
      moved = MakeError(parent.error());
    } else if (parent->valid() && ExistsAt(parent->get(), leaf)) {
      entry.was_present = true;
      if (::renameat(parent->get(), leaf.c_str(), aside->get(), name.c_str()) != 0) {
        moved = SystemError("cannot rename " + entry.path + " aside to " + entry.aside);
      }
    } else {
      entry.was_present = false;
      const Fd marker(::openat(aside->get(), (name + ".absent").c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      if (!marker.valid()) moved = SystemError("cannot create " + entry.aside + ".absent");
    }
    if (!moved) {
      // Nothing half done: what was moved goes back.
      if (Status undone = Restore(record); !undone) {
        return MakeError(moved.error() + "; putting the others back failed too: " + undone.error());
      }
      return moved;
    }
  }
  return OkStatus();
}

Result<PreserveRecord> SetAside(const std::string& repo, const std::vector<std::string>& paths,
                                const std::string& aside_dir) {
  Result<PreserveRecord> record = PlanPreserve(repo, paths, aside_dir);
  if (!record) return record;
  if (Status set = SetAside(*record); !set) return MakeError(set.error());
  return record;
}

Status Restore(const PreserveRecord& record) {
  Result<Fd> aside = OpenAsideDir(record.aside_dir);
  if (!aside) return MakeError(aside.error());
  if (!aside->valid()) return OkStatus();  // all restored and cleaned up already
  for (auto entry = record.paths.rbegin(); entry != record.paths.rend(); ++entry) {
    if (Status restored = RestoreOne(record, *entry, aside->get()); !restored) return restored;
  }
  ::rmdir(record.aside_dir.c_str());  // fails harmlessly when something unknown is left in it
  return OkStatus();
}

Status Discard(const PreserveRecord& record) {
  Result<Fd> aside = OpenAsideDir(record.aside_dir);
  if (!aside) return MakeError(aside.error());
  if (!aside->valid()) return OkStatus();
  for (const PreservedPath& entry : record.paths) {
    const std::string name = AsideName(entry);
    for (const std::string& kept : {name, name + ".absent", name + ".discarded"}) {
      if (Status removed = RemoveTreeAt(aside->get(), kept); !removed) {
        return MakeError("cannot remove the kept " + entry.path + " in " + record.aside_dir + ": " +
                         removed.error());
      }
    }
  }
  if (::rmdir(record.aside_dir.c_str()) != 0)
    return SystemError("cannot remove " + record.aside_dir);
  return OkStatus();
}

nlohmann::json PreserveRecordToJson(const PreserveRecord& record) {
  nlohmann::json paths = nlohmann::json::array();
  for (const PreservedPath& entry : record.paths) {
    paths.push_back(
        {{"path", entry.path}, {"aside", entry.aside}, {"wasPresent", entry.was_present}});
  }
  return {{"repo", record.repo}, {"asideDir", record.aside_dir}, {"paths", std::move(paths)}};
}

Result<PreserveRecord> PreserveRecordFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return MakeError("not a JSON object");
  try {
    PreserveRecord record;
    json.at("repo").get_to(record.repo);
    json.at("asideDir").get_to(record.aside_dir);
    for (const nlohmann::json& item : json.at("paths")) {
      PreservedPath entry;
      item.at("path").get_to(entry.path);
      item.at("aside").get_to(entry.aside);
      item.at("wasPresent").get_to(entry.was_present);
      if (Result<std::vector<std::string>> parts = Components(entry.path); !parts) {
        return MakeError(parts.error());
      }
      // A record read back must not point the removals anywhere but into its aside directory.
      const std::string name = AsideName(entry);
      if (name.empty() || name == "." || name == ".." ||
          entry.aside != record.aside_dir + "/" + name) {
        return MakeError("aside path " + Quote(entry.aside, 200) + " is not in " +
                         Quote(record.aside_dir, 200));
      }
      record.paths.push_back(std::move(entry));
    }
    return record;
  } catch (const nlohmann::json::exception& error) {
    return MakeError(error.what());
  }
}

}  // namespace upkeep
