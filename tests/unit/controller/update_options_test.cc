#include "controller/update_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

Problem Set(UpdateOptions& o, std::string_view key, std::string_view value) {
  const Setting<UpdateOptions>* setting = FindSetting(UpdateSettings().settings, key);
  if (setting == nullptr) return "no setting " + std::string(key);
  return setting->set(o, value);
}

std::optional<KeyedProblem> Validate(const UpdateOptions& o, const GivenKeys& given) {
  return UpdateSettings().validate(o, given);
}

TEST(UpdateOptionsTest, EveryDefaultTextIsTheDefault) {
  for (const Setting<UpdateOptions>& s : UpdateSettings().settings) {
    if (s.default_text.empty()) continue;
    SCOPED_TRACE(s.key);
    UpdateOptions o;
    UpdateOptions expected;
    if (!s.set) {  // a list or map: its default text says it is empty
      EXPECT_TRUE(s.default_text == "[]" || s.default_text == "{}");
      continue;
    }
    if (s.key.find("[]") != std::string_view::npos) {  // a step's key: compare with a new step
      o.steps.emplace_back();
      expected.steps.emplace_back();
    }
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
    EXPECT_EQ(o, expected);
  }
}

TEST(UpdateOptionsTest, TheTableHoldsTheCheckKeysThenTheExecutionKeys) {
  const auto settings = UpdateSettings().settings;
  ASSERT_FALSE(settings.empty());
  EXPECT_EQ(settings.front().key, "update.repo");
  EXPECT_NE(FindSetting(settings, "update.require_queue"), nullptr);
  EXPECT_NE(FindSetting(settings, "update.steps[].when_changed"), nullptr);
  EXPECT_EQ(settings.back().key, UpdateExecutionSettings().back().key);
  EXPECT_EQ(settings.data(), UpdateSettings().settings.data());  // built once
}

TEST(UpdateOptionsTest, TheDefaults) {
  const UpdateOptions o;
  EXPECT_FALSE(o.configured);
  EXPECT_EQ(o.remote, "origin");
  EXPECT_EQ(o.branch, "main");
  EXPECT_EQ(o.user, "");
  EXPECT_EQ(o.check_interval, milliseconds(15 * 60 * 1000));
  EXPECT_EQ(o.min_fetch_interval, milliseconds(30'000));
  EXPECT_EQ(o.fetch_timeout, milliseconds(30'000));
  EXPECT_EQ(o.changelog_limit, 100u);
  EXPECT_FALSE(o.allow_insecure_transport);
  EXPECT_EQ(o.state_dir, "/var/lib/upkeep");
  EXPECT_TRUE(o.require_queue);
  EXPECT_TRUE(o.env.empty());
  EXPECT_TRUE(o.preserve.empty());
  EXPECT_TRUE(o.steps.empty());
  EXPECT_EQ(o.restart, UpdateRestart{});
  EXPECT_EQ(o.restart.timeout, milliseconds(60'000));
  EXPECT_FALSE(o.health_check.configured());
  EXPECT_EQ(o.health_check.timeout, milliseconds(5000));
  EXPECT_EQ(o.health_check.retries, 10u);
  EXPECT_EQ(o.health_check.interval, milliseconds(3000));
  EXPECT_FALSE(o.health_check.expect_revision);
  EXPECT_EQ(o.drain_timeout, milliseconds(10 * 60'000));
  EXPECT_EQ(o.shutdown_timeout, milliseconds(60'000));
  EXPECT_EQ(o.on_interrupted, OnInterrupted::kRollback);
  EXPECT_EQ(o.keep_logs, 50u);
  const UpdateStep step;
  EXPECT_EQ(step.timeout, milliseconds(10 * 60'000));
  EXPECT_FALSE(step.rerun_on_rollback);
  EXPECT_TRUE(step.when_changed.empty());
}

TEST(UpdateOptionsTest, EveryKey) {
  UpdateOptions o;
  EXPECT_EQ(Set(o, "update.repo", "/opt/render-manager"), std::nullopt);
  EXPECT_EQ(Set(o, "update.remote", "upstream"), std::nullopt);
  EXPECT_EQ(Set(o, "update.branch", "release/1.x"), std::nullopt);
  EXPECT_EQ(Set(o, "update.user", "render"), std::nullopt);
  EXPECT_EQ(Set(o, "update.check_interval", "1h"), std::nullopt);
  EXPECT_EQ(Set(o, "update.min_fetch_interval", "10s"), std::nullopt);
  EXPECT_EQ(Set(o, "update.fetch_timeout", "2m"), std::nullopt);
  EXPECT_EQ(Set(o, "update.changelog_limit", "20"), std::nullopt);
  EXPECT_EQ(Set(o, "update.allow_insecure_transport", "true"), std::nullopt);
  EXPECT_EQ(Set(o, "update.credentials.ssh_key_file", "/k"), std::nullopt);
  EXPECT_EQ(Set(o, "update.credentials.ssh_known_hosts", "/kh"), std::nullopt);
  EXPECT_EQ(Set(o, "update.credentials.https_token_file", "/t"), std::nullopt);
  EXPECT_EQ(Set(o, "update.state_dir", "/srv/upkeep"), std::nullopt);
  EXPECT_EQ(Set(o, "update.require_queue", "false"), std::nullopt);
  EXPECT_EQ(o.repo, "/opt/render-manager");
  EXPECT_EQ(o.remote, "upstream");
  EXPECT_EQ(o.branch, "release/1.x");
  EXPECT_EQ(o.user, "render");
  EXPECT_EQ(o.check_interval, milliseconds(3'600'000));
  EXPECT_EQ(o.min_fetch_interval, milliseconds(10'000));
  EXPECT_EQ(o.fetch_timeout, milliseconds(120'000));
  EXPECT_EQ(o.changelog_limit, 20u);
  EXPECT_TRUE(o.allow_insecure_transport);
  EXPECT_EQ(o.credentials.ssh_key_file, "/k");
  EXPECT_EQ(o.credentials.ssh_known_hosts, "/kh");
  EXPECT_EQ(o.credentials.https_token_file, "/t");
  EXPECT_EQ(o.state_dir, "/srv/upkeep");
  EXPECT_FALSE(o.require_queue);
  EXPECT_FALSE(o.configured);  // only the section's check sets it
}

TEST(UpdateOptionsTest, ZeroTurnsTheBackgroundCheckOff) {
  UpdateOptions o;
  EXPECT_EQ(Set(o, "update.check_interval", "0"), std::nullopt);
  EXPECT_EQ(o.check_interval, milliseconds(0));
  EXPECT_EQ(Set(o, "update.check_interval", "10s"), std::nullopt);
  EXPECT_EQ(Set(o, "update.check_interval", "0s"), std::nullopt);
  EXPECT_EQ(o.check_interval, milliseconds(0));
}

TEST(UpdateOptionsTest, RefusedValues) {
  UpdateOptions o;
  EXPECT_EQ(Set(o, "update.repo", ""), "must not be empty");
  EXPECT_EQ(Set(o, "update.remote", ""), "must not be empty");
  EXPECT_EQ(Set(o, "update.remote", "my origin"),
            "must not hold blanks or control characters, got \"my origin\"");
  EXPECT_EQ(Set(o, "update.branch", "--upload-pack=x"),
            "must not start with '-', got \"--upload-pack=x\"");
  EXPECT_EQ(Set(o, "update.branch", "main\t"),
            "must not hold blanks or control characters, got \"main?\"");
  EXPECT_EQ(Set(o, "update.check_interval", "1s"),
            "must be 0 (no background check) or from 10s to 1w, got \"1s\"");
  EXPECT_EQ(Set(o, "update.check_interval", "8d"),
            "must be 0 (no background check) or from 10s to 1w, got \"8d\"");
  EXPECT_NE(Set(o, "update.check_interval", "soon"), std::nullopt);
  EXPECT_EQ(Set(o, "update.min_fetch_interval", "500ms"), "must be at least 1s, got \"500ms\"");
  EXPECT_EQ(Set(o, "update.min_fetch_interval", "2d"), "must be at most 1d, got \"2d\"");
  EXPECT_EQ(Set(o, "update.fetch_timeout", "0"), "must be at least 1s, got \"0\"");
  EXPECT_EQ(Set(o, "update.fetch_timeout", "2h"), "must be at most 1h, got \"2h\"");
  EXPECT_EQ(Set(o, "update.changelog_limit", "0"), "must be an integer from 1 to 10000, got \"0\"");
  EXPECT_EQ(Set(o, "update.changelog_limit", "10001"),
            "must be an integer from 1 to 10000, got \"10001\"");
  EXPECT_EQ(Set(o, "update.allow_insecure_transport", "yes"), "must be true or false, got \"yes\"");
  EXPECT_EQ(Set(o, "update.require_queue", "0"), "must be true or false, got \"0\"");
  EXPECT_EQ(Set(o, "update.state_dir", ""), "must not be empty");
  EXPECT_EQ(o, UpdateOptions{});
  // Empty credential paths are "not set".
  EXPECT_EQ(Set(o, "update.credentials.ssh_key_file", ""), std::nullopt);
  EXPECT_EQ(Set(o, "update.credentials.https_token_file", ""), std::nullopt);
}

TEST(UpdateOptionsTest, ASectionNeedsARepo) {
  UpdateOptions o;
  EXPECT_EQ(Validate(o, {}), std::nullopt);  // no keys: no section
  std::optional<KeyedProblem> p = Validate(o, {"update.branch"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update");
  EXPECT_EQ(p->message, "update.repo: required: the path of the managed service's git checkout");
  EXPECT_EQ(Set(o, "update.repo", "/srv/app"), std::nullopt);
  EXPECT_EQ(Validate(o, {"update.repo"}), std::nullopt);
}

TEST(UpdateOptionsTest, BindingRecordsWhetherTheSectionGaveAnyKey) {
  UpdateOptions o;
  const BoundSettings bound = BindUpdateSettings(o);
  ASSERT_TRUE(bound.validate);
  EXPECT_EQ(bound.validate({}), std::nullopt);
  EXPECT_FALSE(o.configured);
  ASSERT_NE(bound.Find("update.repo"), nullptr);
  EXPECT_EQ(bound.Find("update.repo")->set("/srv/app"), std::nullopt);
  EXPECT_EQ(bound.validate({"update.repo"}), std::nullopt);
  EXPECT_TRUE(o.configured);
  EXPECT_EQ(o.repo, "/srv/app");
  // The section's own rule still applies through the binding.
  UpdateOptions without_repo;
  const std::optional<KeyedProblem> p =
      BindUpdateSettings(without_repo).validate({"update.credentials"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update");
  EXPECT_TRUE(without_repo.configured);
}

}  // namespace
}  // namespace upkeep
