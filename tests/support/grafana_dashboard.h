#pragma once

// The shipped Grafana dashboards (dashboards/*.json) as a test reads them: their panel queries
// and variable queries, and Grafana's template variables filled in the way Grafana's
// Prometheus data source fills them.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace upkeep::testing {

// dashboards/<file> of the source tree, parsed (a discarded value when it is not JSON).
nlohmann::json LoadDashboard(const std::string& file);

struct PanelQuery {
  std::string panel;  // the panel's title
  std::string ref_id;
  std::string expr;  // as written: variables not filled in
};

// Every target of every panel, the panels inside collapsed rows included.
std::vector<PanelQuery> PanelQueries(const nlohmann::json& dashboard);

// A query variable `label_values(SELECTOR, LABEL)`.
struct LabelValuesVariable {
  std::string name;
  std::string selector;  // as written: variables not filled in
  std::string label;
};
std::vector<LabelValuesVariable> LabelValuesVariables(const nlohmann::json& dashboard);

// What Grafana writes into a PromQL `=~` matcher for a multi-value variable: the selected
// values regex-escaped (each special character behind two backslashes, as Grafana does) and
// joined as "(a|b)", or `all_value` when none is selected ("All").
std::string GrafanaSelection(const std::vector<std::string>& values,
                             const std::string& all_value = ".+");

// `text` with $name, ${name} and ${name:format} replaced by `values` (keyed by the name
// without the $); references to other names are left as they are.
std::string ExpandVariables(std::string text, const std::map<std::string, std::string>& values);

}  // namespace upkeep::testing
