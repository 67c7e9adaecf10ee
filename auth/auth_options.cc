#include "auth/auth_options.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kMaxFailures = 1'000'000;
constexpr milliseconds kMaxLeeway{60 * 60 * 1000};
constexpr milliseconds kMaxWindow{24 * 60 * 60 * 1000};

constexpr Setting<AuthOptions> kSettings[] = {
    {.key = "auth.tokens_file",
     .set = [](AuthOptions& o, std::string_view v) { return SetText(o.tokens_file, v); }},
    {.key = "auth.metrics",
     .default_text = "open",
     .set =
         [](AuthOptions& o, std::string_view v) {
           return SetOneOf(o.metrics, v, {"open", "token"});
         }},
    {.key = "auth.jwt.secret_file",
     .set = [](AuthOptions& o, std::string_view v) { return SetText(o.jwt.secret_file, v); }},
    {.key = "auth.jwt.issuer",
     .set = [](AuthOptions& o, std::string_view v) { return SetText(o.jwt.issuer, v); }},
    {.key = "auth.jwt.audience",
     .set = [](AuthOptions& o, std::string_view v) { return SetText(o.jwt.audience, v); }},
    {.key = "auth.jwt.role_claim",
     .default_text = "role",
     .set = [](AuthOptions& o, std::string_view v) { return SetNonEmpty(o.jwt.role_claim, v); }},
    {.key = "auth.jwt.leeway",
     .default_text = "1m",
     .set =
         [](AuthOptions& o, std::string_view v) {
           return SetDuration(o.jwt.leeway, v, milliseconds(0), kMaxLeeway);
         }},
    {.key = "auth.max_failures",
     .default_text = "10",
     .set =
         [](AuthOptions& o, std::string_view v) {
           return SetInteger(o.max_failures, v, 0, kMaxFailures, " (0 turns the lockout off)");
         }},
    {.key = "auth.lockout_window",
     .default_text = "1m",
     .set =
         [](AuthOptions& o, std::string_view v) {
           return SetDuration(o.lockout_window, v, milliseconds(1000), kMaxWindow);
         }},
    {.key = "auth.watch_interval",
     .default_text = "1s",
     .set =
         [](AuthOptions& o, std::string_view v) {
           return SetDuration(o.watch_interval, v, milliseconds(100), kMaxWindow);
         }},
};

}  // namespace

SettingsTable<AuthOptions> AuthSettings() { return {kSettings, nullptr}; }

}  // namespace upkeep
