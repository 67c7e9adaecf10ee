#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// The files of an update's state directory (journal, history, lock, run logs) must survive a
// crash or a power cut in a state that can be read back: either the old content or the new,
// never half of each. These are the few system-call sequences that give that.

// "PATH: what: strerror(errno)" for an error value.
Error FileError(const std::string& path, std::string_view what, int error_number);

// The directory part of `path` ("." when it has none).
std::string DirectoryOf(const std::string& path);

// Writes all of `data` to `fd`, through short writes and EINTR. `path` only names it in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);

// fsync of a directory, so that a rename, a creation or an unlink in it is on disk.
Status SyncDirectory(const std::string& directory);

// Replaces `path` with `content` so that after a crash it holds the old or the new content:
// a temporary file in the same directory (created with `mode`), write, fsync, rename over
// `path`, fsync of the directory. On an error the temporary file is removed and `path` is
// left as it was.
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode = 0600);

// Removes `path` and syncs its directory. A file that is not there is no error.
Status RemoveFileDurably(const std::string& path);

// Reads the lines of the file open at `fd` from the last to the first, reading backwards in
// blocks, so that the newest entries of a long append-only file cost only what is read.
// `visit` gets each line without its '\n' (the text after the final '\n' comes first, empty
// when the file ends with one) and returns false to stop. A line longer than `max_line`
// bytes is not kept in memory: `visit` gets it as an empty view with `overlong` set.
using LineVisitor = std::function<bool(std::string_view line, bool overlong)>;
Status ForEachLineBackwards(int fd, const std::string& path, size_t max_line,
                            const LineVisitor& visit);

}  // namespace upkeep
