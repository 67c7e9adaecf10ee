#pragma once

#include <string_view>
#include <vector>

#include "common/settings.h"

namespace upkeep {

// Reads one YAML document over the bound settings of every module (app/config.h BindSettings),
// knowing no module itself. The top-level keys are the sections (the first part of each
// setting's key); a dotted key is a nested map; a kList setting takes a YAML list, a kMapList
// setting a list of maps (each read like a nested map, its keys named with the item's index:
// "update.steps[1].run"), a kStringMap setting a map of names to single values. Unknown keys
// (with a "did you mean"), duplicate keys, wrong node kinds, a value its setting refuses and a
// module's cross-field problem (checked once its section is read) throw ConfigError prefixed with
// "<source>:<line>: " and the key; syntax errors add the column. Empty text is no document.
void ReadConfigYaml(std::string_view yaml_text, std::string_view source,
                    const std::vector<BoundSettings>& sections);

}  // namespace upkeep
