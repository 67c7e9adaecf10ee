#include "controller/check_error.h"

#include <array>

namespace upkeep {
namespace {

struct Entry {
  CheckErrorKind kind;
  CheckErrorCode code;
};

// 503 for what the admin must fix on the host (config, path, permissions, remote) and that a
// retry later may find fixed; 502 when the remote itself failed us; 409 while an update runs.
constexpr std::array<Entry, 8> kTable{{
    {CheckErrorKind::kNotConfigured, {"update_not_configured", 503}},
    {CheckErrorKind::kRepoUnavailable, {"repo_unavailable", 503}},
    {CheckErrorKind::kRepoPermission, {"repo_permission", 503}},
    {CheckErrorKind::kRemoteUnavailable, {"remote_unavailable", 503}},
    {CheckErrorKind::kFetchFailed, {"fetch_failed", 502}},
    {CheckErrorKind::kInsecureTransport, {"insecure_transport", 503}},
    {CheckErrorKind::kUpdateInProgress, {"update_in_progress", 409}},
    {CheckErrorKind::kInternal, {"internal", 500}},
}};

}  // namespace

CheckErrorCode CheckErrorCodeOf(CheckErrorKind kind) {
  for (const Entry& entry : kTable) {
    if (entry.kind == kind) return entry.code;
  }
  return {"internal", 500};
}

std::optional<CheckErrorKind> CheckErrorKindNamed(std::string_view code) {
  for (const Entry& entry : kTable) {
    if (entry.code.code == code) return entry.kind;
  }
  return std::nullopt;
}

}  // namespace upkeep
