#include "tests/support/grafana_dashboard.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>

namespace upkeep::testing {

using nlohmann::json;

json LoadDashboard(const std::string& file) {
  std::ifstream in(std::string(UPKEEP_SOURCE_DIR) + "/dashboards/" + file);
  return json::parse(in, nullptr, false);
}

namespace {

void AddQueries(const json& panel, std::vector<PanelQuery>& out) {
  for (const json& target : panel.value("targets", json::array())) {
    out.push_back({panel.value("title", ""), target.value("refId", ""), target.value("expr", "")});
  }
  for (const json& inner : panel.value("panels", json::array())) AddQueries(inner, out);
}

}  // namespace

std::vector<PanelQuery> PanelQueries(const json& dashboard) {
  std::vector<PanelQuery> out;
  for (const json& panel : dashboard.value("panels", json::array())) AddQueries(panel, out);
  return out;
}

std::vector<LabelValuesVariable> LabelValuesVariables(const json& dashboard) {
  static const std::regex kLabelValues(R"(^\s*label_values\((.*),\s*(\w+)\s*\)\s*$)");
  std::vector<LabelValuesVariable> out;
  for (const json& variable : dashboard["templating"].value("list", json::array())) {
    if (variable.value("type", "") != "query") continue;
    const json& query = variable["query"];
    const std::string text =
        query.is_object() ? query.value("query", "") : query.get<std::string>();
    std::smatch match;
    if (std::regex_match(text, match, kLabelValues)) {
      out.push_back({variable.value("name", ""), match[1].str(), match[2].str()});
    }
  }
  return out;
}

std::string GrafanaSelection(const std::vector<std::string>& values, const std::string& all_value) {
  if (values.empty()) return all_value;
  static const std::string kSpecial = "$^*{}[]'+?.()|";
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += '|';
    for (const char c : values[i]) {
      if (c == '\\') {
        out += "\\\\\\\\";
      } else if (kSpecial.find(c) != std::string::npos) {
        out += "\\\\";
        out += c;
      } else {
        out += c;
      }
    }
  }
  return out + ")";
}

std::string ExpandVariables(std::string text, const std::map<std::string, std::string>& values) {
  const auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  std::string out;
  for (size_t at = 0; at < text.size();) {
    if (text[at] != '$') {
      out += text[at++];
      continue;
    }
    // ${name}, ${name:format} or $name: the name is the whole word, so $job never matches $jobs.
    const bool braced = at + 1 < text.size() && text[at + 1] == '{';
    const size_t name_start = at + (braced ? 2 : 1);
    size_t end = name_start;
    while (end < text.size() && is_word(text[end])) ++end;
    const std::string name = text.substr(name_start, end - name_start);
    if (braced) end = std::min(text.find('}', end), text.size() - 1) + 1;
    const auto value = values.find(name);
    if (name.empty() || value == values.end()) {
      out += text[at++];
      continue;
    }
    out += value->second;
    at = end;
  }
  return out;
}

}  // namespace upkeep::testing
