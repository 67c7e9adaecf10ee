#include "controller/git_library.h"

#include <git2.h>

#include <mutex>

namespace upkeep {

Status GitLibrary::Init() {
  static std::once_flag once;
  static int result = 0;
  static std::string message;
  std::call_once(once, [] {
    result = git_libgit2_init();
    if (result < 0) message = GitErrorText(result);
  });
  if (result < 0) return MakeError("initialise libgit2: " + message);
  return OkStatus();
}

std::string GitErrorText(int code) {
  const git_error* error = git_error_last();
  if (error != nullptr && error->message != nullptr && error->message[0] != '\0') {
    return error->message;
  }
  return "error " + std::to_string(code);
}

Error GitError(std::string_view operation, int code) {
  return MakeError(std::string(operation) + ": " + GitErrorText(code));
}

}  // namespace upkeep
