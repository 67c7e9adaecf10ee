#include "app/yaml_documents.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "app/config.h"

namespace upkeep {
namespace {

TEST(LoadYamlDocumentsTest, LoadsEveryDocumentWithItsContent) {
  const std::vector<YAML::Node> documents = LoadYamlDocuments("a: 1\n---\nb: [2, 3]\n");
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(documents[0]["a"].as<int>(), 1);
  EXPECT_EQ(documents[1]["b"][1].as<int>(), 3);
  EXPECT_EQ(documents[1].Mark().line, 2);
}

TEST(LoadYamlDocumentsTest, EmptyOrCommentOnlyTextHasNoDocument) {
  EXPECT_TRUE(LoadYamlDocuments("").empty());
  EXPECT_TRUE(LoadYamlDocuments("# nothing here\n").empty());
}

TEST(LoadYamlDocumentsTest, SyntaxErrorsStillThrowWithTheirPlace) {
  try {
    LoadYamlDocuments("a: 1\n,\n");
    FAIL() << "no exception";
  } catch (const YAML::ParserException& e) {
    EXPECT_EQ(e.mark.line, 1);
  }
}

// yaml-cpp 0.7's own LoadAll never returns on these (and grows memory): run each in a child
// that an alarm ends, so a regression fails instead of hanging the suite (the right answer
// takes microseconds). The child leaves with exit(), not _Exit(), so that gcov still writes
// its counters.
void ExpectUnexpectedCommaAt(const std::string& text, int column) {
  EXPECT_EXIT(
      {
        ::alarm(5);  // a regression grows memory by ~150 MB/s: stop it early
        try {
          LoadYamlDocuments(text);
        } catch (const YAML::ParserException& e) {
          const bool right =
              e.mark.line == 0 && e.mark.column == column && e.msg == "unexpected \",\"";
          std::exit(right ? 0 : 1);
        }
        std::exit(2);
      },
      ::testing::ExitedWithCode(0), "")
      << "input: " << text;
}

TEST(LoadYamlDocumentsTest, StrayCommaIsASyntaxErrorNotAnEndlessLoop) {
  ExpectUnexpectedCommaAt(",", 0);
  ExpectUnexpectedCommaAt(", a: 1\n", 0);
  ExpectUnexpectedCommaAt("   ,\n", 3);
}

// The config loader goes through LoadYamlDocuments: a stray comma in upkeep.yaml is a syntax
// error naming its place, not a daemon that hangs at start-up eating memory.
TEST(LoadYamlDocumentsTest, ConfigWithAStrayCommaIsAConfigError) {
  EXPECT_EXIT(
      {
        ::alarm(5);
        try {
          ParseConfigYaml(", sample: {interval: 5s}\n", "upkeep.yaml");
        } catch (const ConfigError& e) {
          const std::string expected = "upkeep.yaml:1:1: YAML syntax error: unexpected \",\"";
          std::exit(e.what() == expected ? 0 : 1);
        }
        std::exit(2);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace upkeep
