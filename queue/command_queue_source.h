#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "queue/queue_source.h"

namespace upkeep {

// Splits queue.command.run into argv without a shell, by a small subset of shell quoting:
//  - unquoted spaces, tabs and newlines separate words;
//  - '...' keeps everything inside as is;
//  - "..." keeps everything inside except that a backslash before " \ $ or ` stands for that
//    character (a backslash before anything else is kept);
//  - outside quotes a backslash makes the next character literal;
//  - parts written together make one word (a'b'"c" is abc; '' is an empty word).
// Nothing is expanded: no variables, no ~, no globs, no pipes or redirections. So that a
// command written for a shell cannot run with a different meaning, an unquoted | & ; < > ( )
// $ or ` (and a $ or ` inside "...") is an error that says to use `sh -c '...'`. Unterminated
// quotes and an empty command are errors too. Pure.
Result<std::vector<std::string>> SplitCommandLine(std::string_view text);

struct CommandQueueSourceOptions {
  std::vector<std::string> argv;  // from SplitCommandLine
  std::chrono::milliseconds timeout{1000};
};

// queue.type command: runs the command with the daemon's environment (see RunProcess: no
// shell, own process group, killed with its group at the timeout, always reaped) and parses its
// stdout with ParseQueueJson. Exit status 0 is required; otherwise the error quotes the end of
// stderr.
class CommandQueueSource : public QueueSource {
 public:
  explicit CommandQueueSource(CommandQueueSourceOptions options);
  std::string_view Type() const override { return "command"; }
  Result<QueueProbe> Probe() override;

 private:
  CommandQueueSourceOptions options_;
};

}  // namespace upkeep
