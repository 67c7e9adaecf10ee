#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

namespace upkeep {

// Owning handles for libgit2 objects: std::unique_ptr with the object's own free function, so
// that every early return frees what was acquired (libgit2's examples free by hand at a label).
template <auto Free>
struct GitDeleter {
  template <typename T>
  void operator()(T* pointer) const {
    Free(pointer);
  }
};

using GitRepositoryPtr = std::unique_ptr<git_repository, GitDeleter<git_repository_free>>;
using GitRemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote_free>>;
using GitObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object_free>>;
using GitCommitPtr = std::unique_ptr<git_commit, GitDeleter<git_commit_free>>;
using GitReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference_free>>;
using GitRevwalkPtr = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk_free>>;
using GitStatusListPtr = std::unique_ptr<git_status_list, GitDeleter<git_status_list_free>>;
using GitTreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree_free>>;
using GitDiffPtr = std::unique_ptr<git_diff, GitDeleter<git_diff_free>>;
using GitIndexPtr = std::unique_ptr<git_index, GitDeleter<git_index_free>>;
using GitDescribeResultPtr =
    std::unique_ptr<git_describe_result, GitDeleter<git_describe_result_free>>;

// A git_buf that libgit2 fills and this object disposes of.
class GitBuf {
 public:
  GitBuf() = default;
  ~GitBuf() { git_buf_dispose(&buf_); }
  GitBuf(const GitBuf&) = delete;
  GitBuf& operator=(const GitBuf&) = delete;

  git_buf* get() { return &buf_; }
  std::string_view view() const {
    return buf_.ptr == nullptr ? std::string_view() : std::string_view(buf_.ptr, buf_.size);
  }

 private:
  git_buf buf_ = GIT_BUF_INIT;
};

// The 40 hex digits of an object id.
inline std::string OidHex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

}  // namespace upkeep
