#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace upkeep {

// Every document of a YAML stream, like YAML::LoadAll, but it always returns. yaml-cpp 0.7
// (Debian 12) LoadAll never returns on some malformed input, e.g. a lone ",": the parser
// reports a null document without consuming the token, again and again, and the list of
// documents grows until memory runs out (jbeder/yaml-cpp#1040, fixed upstream after 0.7; found
// by tests/fuzz/config_yaml_fuzzer.cc). A first pass walks the documents and stops when one
// starts where the previous one did. Throws YAML::ParserException (with its mark) for that
// input, as for any other syntax error.
std::vector<YAML::Node> LoadYamlDocuments(const std::string& text);

}  // namespace upkeep
