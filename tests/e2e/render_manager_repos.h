#pragma once

// The example service's git world for the end-to-end suite: examples/render-manager copied into
// a fresh repository (the "pusher", where releases are made), pushed to a bare remote that
// `git daemon` serves on 127.0.0.1, and the service's clone of it over git://.

#include <memory>
#include <string>

#include "tests/support/git_repos.h"

namespace upkeep::testing {

class RenderManagerRepos {
 public:
  // Under `root`: remote.git with the example committed as "Initial commit" and tagged v1.0.0,
  // served by git daemon, and service/ cloned from git://. A failure is a test failure.
  explicit RenderManagerRepos(std::string root);

  std::string remote_url() const;
  std::string pusher() const { return root_ + "/pusher"; }
  std::string service() const { return root_ + "/service"; }

  // Edits in the pusher, paths relative to its root.
  std::string Read(const std::string& relative) const;
  void Write(const std::string& relative, const std::string& text) const;
  void Remove(const std::string& relative) const;
  // Commits everything changed in the pusher; its revision.
  std::string Commit(const std::string& subject) const;
  // Sets package.json's "version" to `version`, commits "Release <version>", tags v<version>,
  // pushes main and the tag; the release's revision.
  std::string Release(const std::string& version) const;

  std::string ServiceHead() const;

 private:
  std::string root_;
  std::unique_ptr<GitDaemon> daemon_;
};

}  // namespace upkeep::testing
