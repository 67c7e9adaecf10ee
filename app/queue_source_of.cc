#include "app/queue_source_of.h"

#include "queue/command_queue_source.h"
#include "queue/http_queue_source.h"
#include "queue/sqlite_queue_source.h"

namespace upkeep {

std::unique_ptr<QueueSource> QueueSourceOf(const QueueOptions& queue) {
  if (queue.type == "sqlite") {
    return std::make_unique<SqliteQueueSource>(SqliteQueueSourceOptions{
        .path = queue.sqlite.path,
        .depth_query = queue.sqlite.depth_query,
        .active_query = queue.sqlite.active_query,
        .timeout = queue.timeout,
    });
  }
  if (queue.type == "http") {
    return std::make_unique<HttpQueueSource>(HttpQueueSourceOptions{
        .url = ParseHttpUrl(queue.http.url).value(),
        .url_text = queue.http.url,
        .bearer_token_file = queue.http.bearer_token_file,
        .timeout = queue.timeout,
        .ca_file = queue.http.ca_file,
    });
  }
  if (queue.type == "command") {
    return std::make_unique<CommandQueueSource>(CommandQueueSourceOptions{
        .argv = SplitCommandLine(queue.command.run).value(),
        .timeout = queue.timeout,
    });
  }
  return std::make_unique<NoneQueueSource>();
}

}  // namespace upkeep
