#include "app/log_options.h"

namespace upkeep {
namespace {

constexpr Setting<LogOptions> kSettings[] = {
    {.key = "log.level",
     .default_text = "info",
     .set =
         [](LogOptions& o, std::string_view v) {
           return SetOneOf(o.level, v, {"debug", "info", "warn", "error"});
         }},
    {.key = "log.format",
     .default_text = "text",
     .set =
         [](LogOptions& o, std::string_view v) {
           return SetOneOf(o.format, v, {"text", "json"});
         }},
};

}  // namespace

SettingsTable<LogOptions> LogSettings() { return {kSettings, nullptr}; }

}  // namespace upkeep
