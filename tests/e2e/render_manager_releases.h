#pragma once

// The releases of the example service that the end-to-end scenario pushes, each made in the
// pusher as a developer would (a change, then "Release X.Y.Z" tagged vX.Y.Z) and pushed.

#include <string>

#include "tests/e2e/render_manager_repos.h"

namespace upkeep::testing {

// v1.1.0: a render-nodes table (migration 002) and a script that lists the nodes.
std::string ReleaseRenderNodes(const RenderManagerRepos& repos);
// The table migration 002 creates.
inline constexpr const char* kRenderNodesTable = "render_nodes";
// v1.2.0: migration 003 creates a table, copies into it, then violates a constraint: the
// migration fails half-way, inside its transaction.
std::string ReleaseBrokenMigration(const RenderManagerRepos& repos);
// v1.3.0: migration 003 reverted, and a server.js that exits as it starts.
std::string ReleaseCrashingServer(const RenderManagerRepos& repos);
// v1.4.0: server.js as it was, and a documentation change.
std::string ReleaseCleanChange(const RenderManagerRepos& repos);
// v1.5.0: a build that sleeps `delay_seconds` first (BUILD_DELAY_SECONDS in package.json).
std::string ReleaseSlowBuild(const RenderManagerRepos& repos, int delay_seconds);

}  // namespace upkeep::testing
