#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace upkeep {

// The outcome of a value check: nullopt if the value was accepted (and stored), else the problem
// in words. The caller adds the key or flag name (and the file and line), so the YAML file and
// the flags share the checks and their messages.
using Problem = std::optional<std::string>;

enum class SettingKind {
  kScalar,     // one value
  kList,       // a list of single values
  kMapList,    // a list of maps whose keys are settings of their own ("steps[].run")
  kStringMap,  // a map of names the file chooses to single values ("env: {NAME: value}")
};

// One setting of a module's options: its key, its default and how a value is checked and stored.
// Each module keeps a constant table of them beside its options struct; the YAML loader (app/)
// and the flags apply them, and the module's unit test applies them to plain strings. The dots of
// a key are nested maps: "web.tls.cert_file" is cert_file in the map tls of the section web.
//
// A list of maps (kMapList, a sequence of steps, say): `clear` empties the list, then for each
// item `append` adds one with its defaults, and the item's keys are settings of the same table
// under the list's key and "[]" ("update.steps[].run", "update.steps[].when_changed") whose
// setters fill the last item; so the loader reads each item as it reads any map, lists and
// nested maps included, and names an item's key with its index: "update.steps[1].run". The
// section's cross-field check sees those indexed keys (and "update.steps[1]" for the item) in
// GivenKeys, so it can tell an item's key that was given from a default.
//
// A map of chosen names (kStringMap: environment variables, say): `clear` empties it, then `put`
// checks and stores each NAME: value pair; a problem is reported under "key.NAME".
template <typename Options>
struct Setting {
  using Setter = Problem (*)(Options&, std::string_view);

  std::string_view key{};  // full path: "queue.sqlite.path"
  // The default as one would write it in the file, for the usage text; "" when the default is
  // "not set" (web.threads: the server picks).
  std::string_view default_text{};
  // kScalar: checks and stores the value. kList: a single value that may stand for the whole
  // list ("filesystems: auto"), or nullptr when only a list will do.
  Setter set = nullptr;
  SettingKind kind = SettingKind::kScalar;
  // kList only: `clear` empties the list, then `add` checks and appends each item in order (so
  // it can refuse a duplicate). `expected` and `item` name what the value and each item must
  // be, for "expected a list of CIDRs, got a map".
  void (*clear)(Options&) = nullptr;
  Setter add = nullptr;
  std::string_view expected{};
  std::string_view item{};
  // kList, kMapList, kStringMap: "key:" with nothing after it is empty, not an error.
  bool null_is_empty = false;
  // kMapList only: appends an item with its defaults, before that item's keys are read.
  void (*append)(Options&) = nullptr;
  // kStringMap only: checks and stores one entry (after `clear`; the loader refuses a name given
  // twice). `expected` names what the map must be, `item` what each value must be.
  Problem (*put)(Options&, std::string_view name, std::string_view value) = nullptr;
};

// A problem that only shows once a whole section is read (one value against another). `key` is
// the setting it is about: the loader prefixes the message with that key's file and line, or
// with its section's when the key is not in the file.
struct KeyedProblem {
  std::string key;
  std::string message;
};

// The keys a file gave in one section, maps included ("queue", "queue.sqlite", "queue.type"),
// so a cross-field check can tell an explicit value from a default.
using GivenKeys = std::set<std::string, std::less<>>;

template <typename Options>
using Validator = std::optional<KeyedProblem> (*)(const Options&, const GivenKeys& given);

template <typename Options>
struct SettingsTable {
  std::span<const Setting<Options>> settings;
  Validator<Options> validate = nullptr;  // nullptr: no cross-field rule
};

// "update.steps[12].run" -> "update.steps[].run": the table's key for a key named with indexes.
std::string TableKey(std::string_view key);

template <typename Options>
const Setting<Options>* FindSetting(std::span<const Setting<Options>> table, std::string_view key) {
  for (const Setting<Options>& setting : table) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

// One setting bound to the options it fills, with the types erased: what the loader and the
// flags walk without knowing any module. Valid while those options live.
struct BoundSetting {
  std::string_view key{};
  std::string_view default_text{};
  SettingKind kind = SettingKind::kScalar;
  std::string_view expected{};
  std::string_view item{};
  bool null_is_empty = false;
  std::function<Problem(std::string_view)> set{};  // empty when the setting has no `set`
  std::function<Problem(std::string_view)> add{};
  std::function<void()> clear{};
  std::function<void()> append{};
  std::function<Problem(std::string_view, std::string_view)> put{};
};

struct BoundSettings {
  std::vector<BoundSetting> settings;
  std::function<std::optional<KeyedProblem>(const GivenKeys&)> validate;  // may be empty

  const BoundSetting* Find(std::string_view key) const;
};

template <typename Options>
BoundSettings Bind(const SettingsTable<Options>& table, Options& options) {
  BoundSettings bound;
  for (const Setting<Options>& s : table.settings) {
    BoundSetting b{.key = s.key,
                   .default_text = s.default_text,
                   .kind = s.kind,
                   .expected = s.expected,
                   .item = s.item,
                   .null_is_empty = s.null_is_empty};
    if (s.set) b.set = [&options, set = s.set](std::string_view v) { return set(options, v); };
    if (s.add) b.add = [&options, add = s.add](std::string_view v) { return add(options, v); };
    if (s.clear) b.clear = [&options, clear = s.clear] { clear(options); };
    if (s.append) b.append = [&options, append = s.append] { append(options); };
    if (s.put) {
      b.put = [&options, put = s.put](std::string_view name, std::string_view value) {
        return put(options, name, value);
      };
    }
    bound.settings.push_back(std::move(b));
  }
  if (table.validate) {
    bound.validate = [&options, validate = table.validate](const GivenKeys& given) {
      return validate(options, given);
    };
  }
  return bound;
}

// The checks that modules share. Each stores the value in `out` only when it is accepted.

// A Prometheus-style duration (common/duration.h) within [min, max].
Problem SetDuration(std::chrono::milliseconds& out, std::string_view value,
                    std::chrono::milliseconds min,
                    std::chrono::milliseconds max = std::chrono::milliseconds::max());

Problem SetOneOf(std::string& out, std::string_view value,
                 std::initializer_list<std::string_view> allowed);

// "true" or "false", nothing else (no yes/no/on/off: YAML 1.1 and 1.2 disagree on those).
Problem SetBool(bool& out, std::string_view value);

// Any text, the empty string included ("not set").
Problem SetText(std::string& out, std::string_view value);

Problem SetNonEmpty(std::string& out, std::string_view value);

// Decimal digits only, within [min, max]; `note` follows the range in the message, e.g.
// " (0 turns the lockout off)".
Problem ParseInteger(uint64_t& out, std::string_view value, uint64_t min, uint64_t max,
                     std::string_view note = {});

template <typename Int>
Problem SetInteger(Int& out, std::string_view value, uint64_t min, uint64_t max,
                   std::string_view note = {}) {
  uint64_t n = 0;
  if (Problem problem = ParseInteger(n, value, min, max, note)) return problem;
  out = static_cast<Int>(n);
  return std::nullopt;
}

// Levenshtein distance, for "did you mean" hints on typos.
size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean \"interval\"?)" for the closest candidate within two edits, else "".
std::string DidYouMean(std::string_view wrong, std::span<const std::string_view> candidates);

}  // namespace upkeep
