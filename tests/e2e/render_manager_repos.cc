#include "tests/e2e/render_manager_repos.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/update_service_repos.h"

namespace upkeep::testing {
namespace {

namespace fs = std::filesystem;

// What the example's own .gitignore keeps out of a checkout: not copied from the source tree,
// where a developer may have run it.
bool Ignored(const fs::path& relative) {
  const std::string first = relative.begin()->string();
  return first == "node_modules" || first == "dist" || first == "var" ||
         relative.extension() == ".log";
}

void CopyExample(const fs::path& from, const fs::path& to) {
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(from)) {
    const fs::path relative = fs::relative(entry.path(), from);
    if (Ignored(relative)) continue;
    if (entry.is_directory()) {
      fs::create_directories(to / relative);
    } else if (entry.is_regular_file()) {
      fs::create_directories((to / relative).parent_path());
      fs::copy_file(entry.path(), to / relative, fs::copy_options::overwrite_existing);
    }
  }
}

}  // namespace

RenderManagerRepos::RenderManagerRepos(std::string root) : root_(std::move(root)) {
  IsolateGitEnvironment();
  const fs::path example = fs::path(UPKEEP_SOURCE_DIR) / "examples" / "render-manager";
  if (!fs::is_regular_file(example / "package.json")) {
    ADD_FAILURE() << "the example service is missing: " << example.string();
    return;
  }
  Git(root_, {"init", "--quiet", "--bare", root_ + "/remote.git"});
  Git(root_, {"init", "--quiet", pusher()});
  CopyExample(example, pusher());
  Commit("Initial commit");
  Git(pusher(), {"tag", "-a", "-m", "Release 1.0.0", "v1.0.0"});
  Git(pusher(), {"remote", "add", "origin", root_ + "/remote.git"});
  Git(pusher(), {"push", "--quiet", "--follow-tags", "origin", "main"});
  daemon_ = std::make_unique<GitDaemon>(root_);
  if (!daemon_->started()) return;
  Git(root_, {"clone", "--quiet", remote_url(), service()});
}

std::string RenderManagerRepos::remote_url() const {
  return daemon_ ? daemon_->Url("remote.git") : "";
}

std::string RenderManagerRepos::Read(const std::string& relative) const {
  return ReadText(pusher() + "/" + relative);
}

void RenderManagerRepos::Write(const std::string& relative, const std::string& text) const {
  const fs::path path = fs::path(pusher()) / relative;
  fs::create_directories(path.parent_path());
  WriteText(path.string(), text);
}

void RenderManagerRepos::Remove(const std::string& relative) const {
  fs::remove(fs::path(pusher()) / relative);
}

std::string RenderManagerRepos::Commit(const std::string& subject) const {
  Git(pusher(), {"add", "-A"});
  Git(pusher(), {"commit", "--quiet", "-m", subject});
  return Git(pusher(), {"rev-parse", "HEAD"});
}

std::string RenderManagerRepos::Release(const std::string& version) const {
  // What `npm version` does: package.json's version, and the lock file's copies of it (the
  // example has no dependencies, so every version in its lock file is its own).
  static const std::regex version_field("\"version\"\\s*:\\s*\"[^\"]*\"");
  const std::string field = "\"version\": \"" + version + "\"";
  const std::string manifest = Read("package.json");
  const std::string bumped =
      std::regex_replace(manifest, version_field, field, std::regex_constants::format_first_only);
  EXPECT_NE(bumped, manifest) << "package.json has no version field to set to " << version;
  Write("package.json", bumped);
  Write("package-lock.json", std::regex_replace(Read("package-lock.json"), version_field, field));
  std::string revision = Commit("Release " + version);
  Git(pusher(), {"tag", "-a", "-m", "Release " + version, "v" + version});
  Git(pusher(), {"push", "--quiet", "--follow-tags", "origin", "main"});
  return revision;
}

std::string RenderManagerRepos::ServiceHead() const {
  return Git(service(), {"rev-parse", "HEAD"});
}

}  // namespace upkeep::testing
