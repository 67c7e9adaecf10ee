#include "app/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "app/yaml_documents.h"
#include "common/config_error.h"
#include "common/text.h"

namespace upkeep {
namespace {

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "nothing";
  }
}

// The names directly under `prefix` (a table key: "update.steps[]" for any step) in the
// section's keys, in table order: "web" gives listen_address, ..., tls, trusted_proxies; "" gives
// the section's own name. A list item's keys ("update.steps[].run") add no name "steps[]": the
// list's own setting gives "steps".
std::vector<std::string_view> NamesUnder(const BoundSettings& section, std::string_view prefix) {
  std::vector<std::string_view> names;
  for (const BoundSetting& s : section.settings) {
    std::string_view rest = s.key;
    if (!prefix.empty()) {
      if (!rest.starts_with(prefix) || !rest.substr(prefix.size()).starts_with('.')) continue;
      rest.remove_prefix(prefix.size() + 1);
    }
    rest = rest.substr(0, rest.find_first_of(".["));
    if (std::find(names.begin(), names.end(), rest) == names.end()) names.push_back(rest);
  }
  return names;
}

// The keys given in one section, with their key nodes: where a cross-field problem points.
using GivenNodes = std::map<std::string, YAML::Node, std::less<>>;

// Walks one YAML document over the bound settings; every error names the source, line and key.
class YamlReader {
 public:
  YamlReader(std::string_view source, const std::vector<BoundSettings>& sections)
      : source_(source), sections_(sections) {}

  void ReadDocument(const YAML::Node& root) const {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Fail(root, "expected a map of settings at the top level, got " + std::string(KindName(root)));
    }
    std::vector<std::string_view> names;
    std::map<std::string_view, const BoundSettings*> owners;
    for (const BoundSettings& section : sections_) {
      for (const std::string_view name : NamesUnder(section, "")) {
        names.push_back(name);
        owners.emplace(name, &section);
      }
    }
    ForEachKey(root, "", names,
               [&](const std::string& name, const YAML::Node& key_node, const YAML::Node& value) {
                 ReadSection(*owners.at(name), name, key_node, value);
               });
  }

 private:
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    std::string where = source_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1);
    throw ConfigError(where + ": " + message);
  }

  void Check(const YAML::Node& node, const std::string& key, const Problem& problem) const {
    if (problem) Fail(node, key + ": " + *problem);
  }

  // Calls fn(full_key, key_node, value) for each key of `map`, rejecting non-string, duplicate and
  // unknown keys. A null `map` (a section with everything commented out) has no keys.
  template <typename Fn>
  void ForEachKey(const YAML::Node& map, const std::string& prefix,
                  const std::vector<std::string_view>& known, Fn fn) const {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
      Fail(map, prefix + ": expected a map of settings, got " + std::string(KindName(map)));
    }
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      if (!key_node.IsScalar()) {
        std::string message = "keys must be plain names";
        if (!prefix.empty()) message += " in " + prefix;
        Fail(key_node, message);
      }
      const std::string& name = key_node.Scalar();
      std::string full = prefix;
      if (!full.empty()) full += '.';
      full += name;
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        Fail(key_node, "unknown key " + Quote(full) + DidYouMean(name, known));
      }
      if (!seen.insert(name).second) Fail(key_node, "duplicate key " + Quote(full));
      fn(full, key_node, entry.second);
    }
  }

  // Reads a section, then runs its module's cross-field check on what it holds.
  void ReadSection(const BoundSettings& section, const std::string& name,
                   const YAML::Node& key_node, const YAML::Node& map) const {
    GivenNodes given;
    ReadMap(section, name, map, given);
    if (!section.validate) return;
    GivenKeys keys;
    for (const auto& [key, node] : given) keys.insert(key);
    if (const std::optional<KeyedProblem> problem = section.validate(keys)) {
      const auto it = given.find(problem->key);
      Fail(it != given.end() ? it->second : key_node, problem->message);
    }
  }

  // `prefix` names the map as errors show it, with indexes ("update.steps[1]"); its settings are
  // found under its table key ("update.steps[]").
  void ReadMap(const BoundSettings& section, const std::string& prefix, const YAML::Node& map,
               GivenNodes& given) const {
    ForEachKey(map, prefix, NamesUnder(section, TableKey(prefix)),
               [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
                 given[key] = key_node;
                 if (const BoundSetting* setting = section.Find(TableKey(key))) {
                   ReadValue(section, *setting, key, key_node, value, given);
                 } else {
                   ReadMap(section, key, value, given);
                 }
               });
  }

  void ReadValue(const BoundSettings& section, const BoundSetting& setting, const std::string& key,
                 const YAML::Node& key_node, const YAML::Node& value, GivenNodes& given) const {
    // A null value's mark is where the parser stood next (often the following line), so errors
    // about it point at the key instead.
    const YAML::Node& at = value.IsNull() ? key_node : value;
    switch (setting.kind) {
      case SettingKind::kList:
        return ReadList(setting, key, at, value);
      case SettingKind::kMapList:
        return ReadMapList(section, setting, key, at, value, given);
      case SettingKind::kStringMap:
        return ReadStringMap(setting, key, at, value, given);
      case SettingKind::kScalar:
        break;
    }
    if (!value.IsScalar()) {
      Fail(at, key + ": expected a single value, got " + std::string(KindName(value)));
    }
    Check(value, key, setting.set(value.Scalar()));
  }

  void ReadList(const BoundSetting& setting, const std::string& key, const YAML::Node& at,
                const YAML::Node& value) const {
    if (value.IsNull() && setting.null_is_empty) return setting.clear();
    if (value.IsScalar() && setting.set) return Check(value, key, setting.set(value.Scalar()));
    if (!value.IsSequence()) {
      Fail(at, key + ": expected " + std::string(setting.expected) + ", got " +
                   std::string(KindName(value)));
    }
    setting.clear();
    for (size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& item = value[i];
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      if (!item.IsScalar()) {
        Fail(item, item_key + ": expected " + std::string(setting.item) + ", got " +
                       std::string(KindName(item)));
      }
      Check(item, item_key, setting.add(item.Scalar()));
    }
  }

  // Each item is a map read like any other, into the item `append` just added.
  void ReadMapList(const BoundSettings& section, const BoundSetting& setting,
                   const std::string& key, const YAML::Node& at, const YAML::Node& value,
                   GivenNodes& given) const {
    if (value.IsNull() && setting.null_is_empty) return setting.clear();
    if (!value.IsSequence()) {
      Fail(at, key + ": expected " + std::string(setting.expected) + ", got " +
                   std::string(KindName(value)));
    }
    setting.clear();
    for (size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& item = value[i];
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      if (!item.IsMap()) {
        Fail(item.IsNull() ? at : item, item_key + ": expected " + std::string(setting.item) +
                                            ", got " + std::string(KindName(item)));
      }
      given[item_key] = item;
      setting.append();
      ReadMap(section, item_key, item, given);
    }
  }

  void ReadStringMap(const BoundSetting& setting, const std::string& key, const YAML::Node& at,
                     const YAML::Node& value, GivenNodes& given) const {
    if (value.IsNull() && setting.null_is_empty) return setting.clear();
    if (!value.IsMap()) {
      Fail(at, key + ": expected " + std::string(setting.expected) + ", got " +
                   std::string(KindName(value)));
    }
    setting.clear();
    std::set<std::string> seen;
    for (const auto& entry : value) {
      const YAML::Node& name_node = entry.first;
      const YAML::Node& item = entry.second;
      if (!name_node.IsScalar()) Fail(name_node, "keys must be plain names in " + key);
      const std::string& name = name_node.Scalar();
      // The name is the file's own choice: shown printable, as a value would be.
      const std::string item_key = key + "." + Printable(name, 100);
      if (!seen.insert(name).second) Fail(name_node, "duplicate key " + Quote(item_key));
      if (!item.IsScalar()) {
        Fail(item.IsNull() ? name_node : item, item_key + ": expected " +
                                                   std::string(setting.item) + ", got " +
                                                   std::string(KindName(item)));
      }
      given[item_key] = name_node;
      Check(name_node, item_key, setting.put(name, item.Scalar()));
    }
  }

  std::string source_;
  const std::vector<BoundSettings>& sections_;
};

}  // namespace

void ReadConfigYaml(std::string_view yaml_text, std::string_view source_name,
                    const std::vector<BoundSettings>& sections) {
  const std::string source(source_name);
  std::vector<YAML::Node> documents;
  try {
    documents = LoadYamlDocuments(std::string(yaml_text));  // not LoadAll: see yaml_documents.h
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    throw ConfigError(where + ": YAML syntax error: " + e.msg);
  }
  if (documents.size() > 1) {
    throw ConfigError(source + ":" + std::to_string(documents[1].Mark().line + 1) +
                      ": expected one YAML document, found " + std::to_string(documents.size()));
  }
  if (documents.empty()) return;
  try {
    YamlReader(source, sections).ReadDocument(documents.front());
  } catch (const YAML::Exception& e) {
    // Not expected (the reader checks node types before reading); kept as a ConfigError.
    throw ConfigError(source + ": " + e.msg);
  }
}

}  // namespace upkeep
