#include "exporter/mountinfo_parser.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "common/text.h"
#include "exporter/procfs_text.h"

namespace upkeep {

using namespace procfs_text;  // NOLINT(google-build-using-namespace): the parsers' own toolkit

Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  mounts.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  LineCursor lines(text);
  std::string_view line;
  bool terminated = false;
  size_t line_number = 0;
  while (lines.Next(line, terminated)) {
    ++line_number;
    if (IsBlankLine(line)) continue;
    auto line_error = [&](std::string_view what) {
      return Fail("mountinfo line ", std::to_string(line_number), ": ", what, ": ",
                  Quote(line, kMaxQuoted));
    };

    // Fields are separated by exactly one space; an empty field (an empty source) stays one.
    std::string_view rest = line;
    bool at_end = false;
    auto next_field = [&](std::string_view& field) {
      if (at_end) return false;
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) {
        field = rest;
        at_end = true;
      } else {
        field = rest.substr(0, space);
        rest.remove_prefix(space + 1);
      }
      return true;
    };

    // mount ID, parent ID, major:minor, root, mount point, mount options.
    std::string_view fields[6];
    for (std::string_view& field : fields) {
      if (!next_field(field)) return line_error("too few fields");
    }
    uint64_t unused = 0;
    if (ParseNumber(fields[0], unused) != Num::kOk) return line_error("malformed mount id");
    if (ParseNumber(fields[1], unused) != Num::kOk) return line_error("malformed parent id");
    size_t colon = fields[2].find(':');
    if (colon == std::string_view::npos ||
        ParseNumber(fields[2].substr(0, colon), unused) != Num::kOk ||
        ParseNumber(fields[2].substr(colon + 1), unused) != Num::kOk) {
      return line_error("malformed major:minor");
    }
    if (fields[3].empty() || fields[4].empty()) return line_error("empty root or mount point");

    // Zero or more optional fields ("shared:1 master:2"), ended by a lone "-".
    std::string_view field;
    bool separator = false;
    while (next_field(field)) {
      if (field == "-") {
        separator = true;
        break;
      }
    }
    if (!separator) return line_error("missing '-' separator");
    std::string_view fstype, source, super_options;
    if (!next_field(fstype) || !next_field(source) || !next_field(super_options)) {
      return line_error("needs fstype, source and super options after '-'");
    }
    if (fstype.empty()) return line_error("empty fstype");

    MountInfo& mount = mounts.emplace_back();
    mount.device_id = std::string(fields[2]);
    mount.root = DecodeOctalEscapes(fields[3]);
    mount.mount_point = DecodeOctalEscapes(fields[4]);
    mount.fstype = DecodeOctalEscapes(fstype);
    mount.source = DecodeOctalEscapes(source);
  }
  if (mounts.empty()) return Fail("mountinfo: no mounts (empty input)");
  return mounts;
}

}  // namespace upkeep
