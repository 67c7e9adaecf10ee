#include "app/token_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.h"
#include "auth/api_token.h"
#include "auth/secure_file.h"
#include "auth/tokens_file.h"
#include "common/process_runner.h"

namespace upkeep {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr size_t kMaxTokensFileBytes = 1 << 20;
constexpr mode_t kTokensFileMode = 0600;

constexpr std::string_view kUsage =
    "Usage:\n"
    "  upkeep token create --name NAME --role admin|metrics [--owner USER]\n"
    "                      [--tokens-file F | --config FILE]\n"
    "  upkeep token list [--tokens-file F | --config FILE]\n"
    "  upkeep token revoke --name NAME [--tokens-file F | --config FILE]\n"
    "\n"
    "The tokens file is --tokens-file, or auth.tokens_file of the --config file. A running\n"
    "daemon picks up changes within auth.watch_interval (or at once on SIGHUP).\n"
    "The file keeps its owner and group (mode 0600). A new file belongs to whoever runs the\n"
    "command, or with --owner to USER and USER's group (as root), so that a daemon running as\n"
    "USER can read it: sudo upkeep token create ... --owner upkeep\n";

struct UsageError {
  std::string message;
};

struct Arguments {
  std::string action;
  std::map<std::string, std::string, std::less<>> flags;
};

Arguments ParseArguments(int argc, const char* const* argv) {
  Arguments args;
  if (argc < 2) throw UsageError{"missing action (create, list or revoke)"};
  args.action = argv[1];
  static constexpr std::string_view kKnown[] = {"--name", "--role", "--owner", "--tokens-file",
                                                "--config"};
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const size_t equals = arg.find('=');
    const std::string name(arg.substr(0, equals));
    if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
      throw UsageError{"unknown argument \"" + std::string(arg) + "\""};
    }
    std::string value;
    if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw UsageError{name + ": missing value"};
    }
    if (value.empty()) throw UsageError{name + ": missing value"};
    if (!args.flags.emplace(name, std::move(value)).second) {
      throw UsageError{name + ": given more than once"};
    }
  }
  return args;
}

std::optional<std::string> Flag(const Arguments& args, std::string_view name) {
  const auto it = args.flags.find(name);
  if (it == args.flags.end()) return std::nullopt;
  return it->second;
}

void AllowOnly(const Arguments& args, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : args.flags) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw UsageError{name + " does not apply to `token " + args.action + "`"};
    }
  }
}

std::string TokensFilePath(const Arguments& args) {
  const std::optional<std::string> file = Flag(args, "--tokens-file");
  const std::optional<std::string> config = Flag(args, "--config");
  if (file && config) throw UsageError{"give --tokens-file or --config, not both"};
  if (file) return *file;
  if (config) {
    const Config loaded = LoadConfigFile(*config);  // ConfigError: exit 2 with its message
    if (loaded.auth.tokens_file.empty()) {
      throw UsageError{*config + " sets no auth.tokens_file"};
    }
    return loaded.auth.tokens_file;
  }
  throw UsageError{
      "no tokens file: pass --tokens-file FILE, or --config FILE with "
      "auth.tokens_file set"};
}

// Holds an exclusive flock on the tokens file's directory while it lives, so that two runs
// cannot both read the old file and each write back their own change.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& tokens_file) {
    const std::filesystem::path path(tokens_file);
    const std::string directory =
        path.has_parent_path() ? path.parent_path().string() : std::string(".");
    fd_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) {
      error_ = "cannot open the directory " + directory + ": " + std::strerror(errno);
    } else if (::flock(fd_, LOCK_EX) != 0) {
      error_ = "cannot lock " + directory + ": " + std::strerror(errno);
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

struct LoadedFile {
  bool exists = false;
  SmallFile file;
  std::vector<TokenRecord> records;
};

// The current file and its records; an error text when it cannot be read or parsed.
std::optional<std::string> Load(const std::string& path, LoadedFile& loaded) {
  bool missing = false;
  Result<SmallFile> file = ReadSmallFile(path, kMaxTokensFileBytes, &missing);
  if (!file) {
    if (missing) return std::nullopt;
    return file.error();
  }
  Result<std::vector<TokenRecord>> records = ParseTokensFile(file->bytes);
  if (!records) return path + ": " + records.error() + " (fix the file first)";
  loaded.exists = true;
  loaded.file = std::move(file).value();
  loaded.records = std::move(records).value();
  return std::nullopt;
}

// The tokens file as seen under `lock` (create and revoke rewrite it): the lock's error, or
// Load()'s.
std::optional<std::string> LockedLoad(const DirectoryLock& lock, const std::string& path,
                                      LoadedFile& loaded) {
  if (!lock.error().empty()) return lock.error();
  return Load(path, loaded);
}

using Ownership = std::pair<uid_t, gid_t>;

// Writes the new text. An existing file keeps its owner and group: a file that root edits
// for a daemon running as another user must stay readable by that user. A new file gets
// `new_owner` (--owner), else the caller's.
Status Store(const std::string& path, const LoadedFile& loaded, const std::string& text,
             std::optional<Ownership> new_owner, std::FILE* err) {
  std::optional<Ownership> owner = new_owner;
  if (loaded.exists) {
    owner = std::make_pair(loaded.file.owner, loaded.file.group);
    if (OpenToOthers(loaded.file.mode)) {
      std::fprintf(err, "note: %s was readable by other users; it is now mode 0600\n",
                   path.c_str());
    }
  }
  return WriteFileAtomically(path, text, kTokensFileMode, owner);
}

// --owner USER: USER's uid and primary group, or nothing without the flag. Only root can
// give a file away (a usage error otherwise, unless USER is the caller).
std::optional<Ownership> RequestedOwner(const Arguments& args) {
  const std::optional<std::string> name = Flag(args, "--owner");
  if (!name) return std::nullopt;
  const Result<RunAs> user = ResolveUser(*name);
  if (!user) throw UsageError{"--owner: " + user.error()};
  if (::geteuid() != 0 && user->uid != ::geteuid()) {
    throw UsageError{"--owner " + *name + ": only root can create a file for another user"};
  }
  return std::make_pair(user->uid, user->gid);
}

// An existing file keeps its owner: --owner naming someone else is refused rather than
// silently ignored (chown the file by hand to move it). The error text, or nothing.
std::optional<std::string> OwnerConflict(const std::string& path, const LoadedFile& loaded,
                                         const std::optional<Ownership>& requested,
                                         const Arguments& args) {
  if (!requested || !loaded.exists || loaded.file.owner == requested->first) return std::nullopt;
  return path + " exists and belongs to uid " + std::to_string(loaded.file.owner) +
         ", not to --owner " + *Flag(args, "--owner") +
         "; an existing file keeps its owner (chown it first to change that)";
}

int Create(const Arguments& args, std::FILE* out, std::FILE* err) {
  AllowOnly(args, {"--name", "--role", "--owner", "--tokens-file", "--config"});
  const std::optional<std::string> name = Flag(args, "--name");
  const std::optional<std::string> role_text = Flag(args, "--role");
  if (!name) throw UsageError{"create needs --name NAME"};
  if (!role_text) throw UsageError{"create needs --role admin|metrics"};
  if (!IsValidTokenName(*name)) {
    throw UsageError{"invalid name \"" + *name + "\": 1-64 characters of A-Z a-z 0-9 . _ @ -"};
  }
  const std::optional<Role> role = ParseRole(*role_text);
  if (!role) throw UsageError{"invalid role \"" + *role_text + "\": admin or metrics"};
  const std::optional<Ownership> new_owner = RequestedOwner(args);
  const std::string path = TokensFilePath(args);

  DirectoryLock lock(path);
  LoadedFile loaded;
  if (const std::optional<std::string> problem = LockedLoad(lock, path, loaded)) {
    std::fprintf(err, "upkeep token: %s\n", problem->c_str());
    return kExitFailed;
  }
  if (const std::optional<std::string> conflict = OwnerConflict(path, loaded, new_owner, args)) {
    std::fprintf(err, "upkeep token: %s\n", conflict->c_str());
    return kExitFailed;
  }
  for (const TokenRecord& record : loaded.records) {
    if (record.name == *name) {
      std::fprintf(err,
                   "upkeep token: a token named \"%s\" already exists in %s (revoke it first)\n",
                   name->c_str(), path.c_str());
      return kExitFailed;
    }
  }
  const Result<std::string> token = GenerateApiToken();
  if (!token) {
    std::fprintf(err, "upkeep token: %s\n", token.error().c_str());
    return kExitFailed;
  }
  TokenRecord record;
  record.name = *name;
  record.role = *role;
  record.hash = Sha256(*token);
  const std::string before = loaded.exists ? loaded.file.bytes : std::string(TokensFileHeader());
  if (const Status stored = Store(path, loaded, AppendTokenLine(before, record), new_owner, err);
      !stored) {
    std::fprintf(err, "upkeep token: %s\n", stored.error().c_str());
    return kExitFailed;
  }
  if (!loaded.exists && !new_owner && ::geteuid() == 0) {
    std::fprintf(err,
                 "note: %s is new and belongs to root (mode 0600): a daemon running as another "
                 "user cannot read it; pass --owner USER (the package's daemon runs as upkeep)\n",
                 path.c_str());
  }
  std::fprintf(out, "%s\n", token->c_str());
  std::fflush(out);
  std::fprintf(err,
               "created %s token \"%s\" in %s. It is shown only this once: keep it.\n"
               "Use it as: Authorization: Bearer <token>\n",
               std::string(RoleName(*role)).c_str(), name->c_str(), path.c_str());
  return 0;
}

int List(const Arguments& args, std::FILE* out, std::FILE* err) {
  AllowOnly(args, {"--tokens-file", "--config"});
  const std::string path = TokensFilePath(args);
  LoadedFile loaded;
  if (const std::optional<std::string> problem = Load(path, loaded)) {
    std::fprintf(err, "upkeep token: %s\n", problem->c_str());
    return kExitFailed;
  }
  if (!loaded.exists) {
    std::fprintf(err, "%s does not exist: no tokens\n", path.c_str());
    return 0;
  }
  if (OpenToOthers(loaded.file.mode)) {
    std::fprintf(err, "warning: %s is readable by other users; chmod 600 %s\n", path.c_str(),
                 path.c_str());
  }
  std::fprintf(out, "%-32s %-8s %s\n", "NAME", "ROLE", "SHA256");
  for (const TokenRecord& record : loaded.records) {
    std::fprintf(out, "%-32s %-8s %s...\n", record.name.c_str(),
                 std::string(RoleName(record.role)).c_str(),
                 Sha256Hex(record.hash).substr(0, 12).c_str());
  }
  return 0;
}

int Revoke(const Arguments& args, std::FILE* err) {
  AllowOnly(args, {"--name", "--tokens-file", "--config"});
  const std::optional<std::string> name = Flag(args, "--name");
  if (!name) throw UsageError{"revoke needs --name NAME"};
  const std::string path = TokensFilePath(args);
  DirectoryLock lock(path);
  LoadedFile loaded;
  if (const std::optional<std::string> problem = LockedLoad(lock, path, loaded)) {
    std::fprintf(err, "upkeep token: %s\n", problem->c_str());
    return kExitFailed;
  }
  const auto it = std::find_if(loaded.records.begin(), loaded.records.end(),
                               [&](const TokenRecord& record) { return record.name == *name; });
  if (it == loaded.records.end()) {
    std::fprintf(err, "upkeep token: no token named \"%s\" in %s\n", name->c_str(), path.c_str());
    return kExitFailed;
  }
  if (const Status stored =
          Store(path, loaded, RemoveLine(loaded.file.bytes, it->line), std::nullopt, err);
      !stored) {
    std::fprintf(err, "upkeep token: %s\n", stored.error().c_str());
    return kExitFailed;
  }
  std::fprintf(err, "revoked token \"%s\" in %s\n", name->c_str(), path.c_str());
  return 0;
}

}  // namespace

int RunTokenCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err) {
  try {
    if (argc >= 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
      std::fputs(std::string(kUsage).c_str(), out);
      return 0;
    }
    const Arguments args = ParseArguments(argc, argv);
    if (args.action == "create") return Create(args, out, err);
    if (args.action == "list") return List(args, out, err);
    if (args.action == "revoke") return Revoke(args, err);
    throw UsageError{"unknown action \"" + args.action + "\" (create, list or revoke)"};
  } catch (const UsageError& error) {
    std::fprintf(err, "upkeep token: %s\n\n%s", error.message.c_str(), std::string(kUsage).c_str());
    return kExitUsage;
  } catch (const ConfigError& error) {
    std::fprintf(err, "upkeep token: %s\n", error.what());
    return kExitUsage;
  }
}

}  // namespace upkeep
