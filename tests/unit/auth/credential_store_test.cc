// CredentialStore on real files: the first load (and what makes it a start-up error), the
// watcher's reloads, and keeping the last good credentials when a file breaks at run time.

#include "auth/credential_store.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "auth/api_token.h"
#include "auth/secure_file.h"
#include "auth/tokens_file.h"
#include "common/config_error.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kHour = 1h;
const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes

std::string TokensText(const std::vector<std::string>& tokens) {
  std::string text;
  for (size_t i = 0; i < tokens.size(); ++i) {
    TokenRecord record;
    record.name = "token" + std::to_string(i);
    record.role = Role::kAdmin;
    record.hash = Sha256(tokens[i]);
    text = AppendTokenLine(text, record);
  }
  return text;
}

template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

bool Accepts(const CredentialStore& store, const std::string& token) {
  const CredentialStore::Guard credentials = store.Current();
  return credentials && credentials->tokens.Find(token) != nullptr;
}

// Captures what spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture()
      : stream_(std::make_shared<std::ostringstream>()), previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "credential-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream_)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string Text() const { return stream_->str(); }

 private:
  std::shared_ptr<std::ostringstream> stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

class CredentialStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_a_ = *GenerateApiToken();
    token_b_ = *GenerateApiToken();
  }

  // Writes the tokens file (atomically, as `upkeep token` does) with mode 0600.
  void WriteTokens(const std::vector<std::string>& tokens, mode_t mode = 0600) {
    ASSERT_TRUE(WriteFileAtomically(tokens_path_, TokensText(tokens), mode));
  }
  void WriteSecret(const std::string& secret, mode_t mode = 0600) {
    ASSERT_TRUE(WriteFileAtomically(secret_path_, secret, mode));
  }

  CredentialStoreOptions Options(std::chrono::milliseconds poll = kHour) const {
    CredentialStoreOptions options;
    options.tokens_file = tokens_path_;
    options.jwt_secret_file = secret_path_;
    options.jwt.issuer = "farm";
    options.poll_interval = poll;
    return options;
  }

  // Waits until the watcher has polled twice more: the second of those polls started after
  // this call, so it saw whatever the test wrote before.
  static void WaitForAFullPoll(const std::atomic<int>& polls) {
    const int from = polls.load();
    ASSERT_TRUE(Eventually([&] { return polls.load() >= from + 2; }));
  }

  testing::TempDir dir_;
  std::string tokens_path_ = dir_.path() + "/tokens";
  std::string secret_path_ = dir_.path() + "/jwt.secret";
  std::string token_a_;
  std::string token_b_;
};

TEST_F(CredentialStoreTest, NothingBeforeLoadThenTokensAndSecret) {
  WriteTokens({token_a_});
  WriteSecret(kSecret + "\n");
  CredentialStore store(Options());
  EXPECT_FALSE(store.Current());
  store.Load();
  const CredentialStore::Guard credentials = store.Current();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->tokens.size(), 1u);
  EXPECT_NE(credentials->tokens.Find(token_a_), nullptr);
  EXPECT_EQ(credentials->tokens.Find(token_b_), nullptr);
  EXPECT_EQ(credentials->jwt.secret, kSecret);  // one trailing newline dropped
  EXPECT_EQ(credentials->jwt.issuer, "farm");
}

TEST_F(CredentialStoreTest, AMissingTokensFileAtStartUpAcceptsNoTokenUntilItAppears) {
  WriteSecret(kSecret);
  CredentialStore store(Options(5ms));
  store.Load();
  ASSERT_TRUE(store.Current());
  EXPECT_TRUE(store.Current()->tokens.empty());
  store.StartWatching();
  WriteTokens({token_a_});
  EXPECT_TRUE(Eventually([&] { return Accepts(store, token_a_); }));
  store.Stop();
}

TEST_F(CredentialStoreTest, AMalformedTokensFileAtStartUpIsAConfigError) {
  ASSERT_TRUE(WriteFileAtomically(tokens_path_, "admin admin not-a-hash\n", 0600));
  WriteSecret(kSecret);
  CredentialStore store(Options());
  try {
    store.Load();
    FAIL() << "Load() accepted a malformed tokens file";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("auth.tokens_file: " + tokens_path_ + ": line 1", 0),
              0u)
        << error.what();
  }
}

TEST_F(CredentialStoreTest, AMissingJwtSecretAtStartUpIsAConfigError) {
  WriteTokens({token_a_});
  CredentialStore store(Options());
  try {
    store.Load();
    FAIL() << "Load() accepted a missing JWT secret";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "auth.jwt.secret_file: cannot read " + secret_path_ + ": No such file or directory");
  }
  EXPECT_FALSE(store.Current());
}

TEST_F(CredentialStoreTest, AnEmptyOrHugeJwtSecretAtStartUpIsAConfigError) {
  WriteSecret("\n");
  EXPECT_THROW(CredentialStore(Options()).Load(), ConfigError);
  WriteSecret(std::string(100000, 'k'));
  try {
    CredentialStore(Options()).Load();
    FAIL() << "Load() accepted a 100 kB secret";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("is larger than"), std::string::npos) << error.what();
  }
}

// Loaded, but the log says what to fix: files others can read, a short HS256 key.
TEST_F(CredentialStoreTest, OpenModesLoadWithWarnings) {
  LogCapture log;
  WriteTokens({token_a_}, 0644);
  WriteSecret(kSecret + "\r\n", 0640);
  CredentialStore store(Options());
  store.Load();
  EXPECT_TRUE(Accepts(store, token_a_));
  EXPECT_EQ(store.Current()->jwt.secret, kSecret);  // the CRLF a Windows editor leaves is not key
  const std::string text = log.Text();
  EXPECT_NE(text.find("tokens file " + tokens_path_ + " has mode 0644"), std::string::npos) << text;
  EXPECT_NE(text.find("JWT secret file " + secret_path_ + " has mode 0640"), std::string::npos)
      << text;
}

TEST_F(CredentialStoreTest, AShortSecretIsAStartError) {
  WriteTokens({token_a_});
  WriteSecret("short");
  CredentialStore store(Options());
  try {
    store.Load();
    FAIL() << "a 5-byte HS256 secret was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("HS256 needs at least 32"), std::string::npos) << e.what();
  }
}

TEST_F(CredentialStoreTest, TheWatcherReloadsFilesThatChange) {
  WriteTokens({token_a_});
  WriteSecret(kSecret);
  CredentialStore store(Options(5ms));
  store.Load();
  store.StartWatching();
  WriteTokens({token_b_});
  EXPECT_TRUE(Eventually([&] { return Accepts(store, token_b_) && !Accepts(store, token_a_); }));
  const std::string rotated(40, 'r');
  WriteSecret(rotated);
  EXPECT_TRUE(Eventually([&] { return store.Current()->jwt.secret == rotated; }));
  EXPECT_TRUE(Accepts(store, token_b_));  // the tokens stay when only the secret changed
  store.Stop();
}

TEST_F(CredentialStoreTest, AFileThatBreaksAtRunTimeKeepsTheLastGoodCredentials) {
  LogCapture log;
  WriteTokens({token_a_});
  WriteSecret(kSecret);
  std::atomic<int> polls{0};
  CredentialStoreOptions options = Options(5ms);
  options.on_poll = [&polls] { polls.fetch_add(1); };
  CredentialStore store(options);
  store.Load();
  store.StartWatching();

  ASSERT_TRUE(WriteFileAtomically(tokens_path_, "broken line\n", 0600));
  std::filesystem::remove(secret_path_);
  WaitForAFullPoll(polls);
  EXPECT_TRUE(Accepts(store, token_a_));
  EXPECT_EQ(store.Current()->jwt.secret, kSecret);
  const std::string text = log.Text();
  EXPECT_NE(text.find("cannot reload the tokens file"), std::string::npos) << text;
  EXPECT_NE(text.find("keeping the previous 1 token(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot reload the JWT secret"), std::string::npos) << text;

  // Fixed: picked up at the next poll.
  WriteTokens({token_b_});
  EXPECT_TRUE(Eventually([&] { return Accepts(store, token_b_); }));
  store.Stop();
}

// A reload request (SIGHUP) does not wait for the poll interval.
TEST_F(CredentialStoreTest, RequestReloadReloadsAtOnce) {
  WriteTokens({token_a_});
  WriteSecret(kSecret);
  CredentialStore store(Options(kHour));
  store.Load();
  store.StartWatching();
  WriteTokens({token_b_});
  std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(Accepts(store, token_a_));  // an hour until the next poll
  store.RequestReload();
  EXPECT_TRUE(Eventually([&] { return Accepts(store, token_b_); }));
  store.Stop();
}

TEST_F(CredentialStoreTest, OnPollRunsOnTheWatcherEvenWithNoFiles) {
  std::atomic<int> polls{0};
  CredentialStoreOptions options;
  options.poll_interval = 1ms;
  options.on_poll = [&polls] { polls.fetch_add(1); };
  CredentialStore store(options);
  store.Load();
  ASSERT_TRUE(store.Current());  // empty credentials: nothing accepted
  EXPECT_TRUE(store.Current()->tokens.empty());
  EXPECT_TRUE(store.Current()->jwt.secret.empty());
  store.StartWatching();
  EXPECT_TRUE(Eventually([&] { return polls.load() >= 3; }));
  store.Stop();
  const int stopped = polls.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(polls.load(), stopped);  // none after Stop() returned
}

// The destructor stops a running watcher (whose polls use the store).
TEST_F(CredentialStoreTest, DestroyingAWatchingStoreStopsTheWatcher) {
  WriteTokens({token_a_});
  std::atomic<int> polls{0};
  {
    CredentialStoreOptions options;
    options.tokens_file = tokens_path_;
    options.poll_interval = 1ms;
    options.on_poll = [&polls] { polls.fetch_add(1); };
    CredentialStore store(options);
    store.Load();
    store.StartWatching();
    ASSERT_TRUE(Eventually([&] { return polls.load() >= 2; }));
  }
  const int after = polls.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(polls.load(), after);
}

}  // namespace
}  // namespace upkeep
