#include "app/yaml_documents.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace upkeep {
namespace {

// Records where each document starts; ignores the content.
class DocumentStarts : public YAML::EventHandler {
 public:
  const std::vector<YAML::Mark>& marks() const { return marks_; }

  void OnDocumentStart(const YAML::Mark& mark) override { marks_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}

 private:
  std::vector<YAML::Mark> marks_;
};

}  // namespace

std::vector<YAML::Node> LoadYamlDocuments(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  while (parser.HandleNextDocument(starts)) {
    const std::vector<YAML::Mark>& marks = starts.marks();
    // A document starts at the token it begins with; starting twice at one place means the
    // parser consumed nothing and would loop forever.
    if (marks.size() >= 2 && marks.back().pos == marks[marks.size() - 2].pos) {
      const YAML::Mark& at = marks.back();
      const size_t pos = static_cast<size_t>(at.pos);
      const std::string what = pos < text.size() ? "\"" + text.substr(pos, 1) + "\"" : "input";
      throw YAML::ParserException(at, "unexpected " + what);
    }
  }
  // The walk ended, so LoadAll (the same parser) ends too.
  return YAML::LoadAll(text);
}

}  // namespace upkeep
