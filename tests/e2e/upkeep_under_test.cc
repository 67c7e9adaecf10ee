#include "tests/e2e/upkeep_under_test.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/update_service_repos.h"

namespace upkeep::testing {

using nlohmann::json;

UpkeepUnderTest::UpkeepUnderTest(std::string dir)
    : dir_(std::move(dir)), tokens_file_(dir_ + "/tokens"), config_(dir_ + "/upkeep.yaml") {
  admin_ = CreateToken(tokens_file_, "admin", "admin");
  EXPECT_NE(admin_, "") << "upkeep token create failed";
}

void UpkeepUnderTest::Configure(const std::string& yaml) { WriteText(config_, yaml); }

void UpkeepUnderTest::Start() {
  if (daemon_) earlier_logs_ += daemon_->Log();
  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--config", config_, "--sample.interval", "100ms"});
  EXPECT_TRUE(daemon_->started()) << daemon_->Log();
}

void UpkeepUnderTest::Kill() {
  ASSERT_TRUE(daemon_);
  EXPECT_EQ(daemon_->StopWith(SIGKILL, std::chrono::seconds(10)), 128 + SIGKILL);
}

std::string UpkeepUnderTest::Log() const { return earlier_logs_ + (daemon_ ? daemon_->Log() : ""); }

HttpResponse UpkeepUnderTest::AdminGet(const std::string& path_and_query) const {
  return Request(daemon_->port(), "GET", path_and_query, Bearer(admin_));
}

HttpResponse UpkeepUnderTest::Execute(const std::string& query) const {
  const std::string request = "POST /api/system/update/execute" + query +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                              Bearer(admin_) + "Content-Length: 0\r\n\r\n";
  return SendRaw(daemon_->port(), request, 180'000);
}

json UpkeepUnderTest::Check() const {
  const HttpResponse response = AdminGet("/api/system/update/check?refresh=true");
  EXPECT_EQ(response.status, 200) << response.body;
  return Body(response);
}

json UpkeepUnderTest::History() const {
  const HttpResponse response = AdminGet("/api/system/update/history");
  EXPECT_EQ(response.status, 200) << response.body;
  const json body = Body(response);
  return body.is_object() && body.contains("entries") ? body["entries"] : json::array();
}

json UpkeepUnderTest::Status(const std::string& id) const {
  const HttpResponse response = AdminGet("/api/system/update/status?id=" + id);
  EXPECT_EQ(response.status, 200) << response.body;
  return Body(response);
}

json UpkeepUnderTest::Queue() const {
  const json health = Body(AdminGet("/api/system/health"));
  return health.is_object() && health.contains("queue") ? health["queue"] : json();
}

std::string UpkeepUnderTest::MetricsWith(const std::vector<std::string>& lines) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    std::string text = Request(daemon_->port(), "GET", "/metrics").body;
    bool all = true;
    for (const std::string& line : lines) all = all && HasLine(text, line);
    if (all || std::chrono::steady_clock::now() > deadline) return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

json UpkeepUnderTest::Body(const HttpResponse& response) {
  return json::parse(response.body, nullptr, false);
}

}  // namespace upkeep::testing
