#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/http_client.h"
#include "queue/queue_source.h"

namespace upkeep {

struct HttpQueueSourceOptions {
  HttpUrl url;                    // from ParseHttpUrl (http:// or https://)
  std::string url_text;           // as configured, for messages
  std::string bearer_token_file;  // empty: no Authorization header
  std::chrono::milliseconds timeout{1000};
  std::string ca_file;  // PEM CAs to trust for https:// (a private CA); empty: the system's
};

// queue.type http: GETs the service's queue summary (http:// or verified https://) and parses
// it with ParseQueueJson. Only a 200 answer counts. The bearer token file is read at each probe,
// so a rotated token is used from the next probe on; the token itself never appears in a
// message. Every error starts with "GET <url>: ".
class HttpQueueSource : public QueueSource {
 public:
  explicit HttpQueueSource(HttpQueueSourceOptions options);
  std::string_view Type() const override { return "http"; }
  Result<QueueProbe> Probe() override;

 private:
  HttpQueueSourceOptions options_;
};

// Reads a bearer token: the file's content without surrounding whitespace. Errors name the
// file, never the content. Exposed for tests.
Result<std::string> ReadBearerToken(const std::string& path);

}  // namespace upkeep
