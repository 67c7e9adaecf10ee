#pragma once

// upkeep's config for managing the example render manager, as its admin would write it: the
// sqlite queue on the service's database, install / migrate / build, `pm2 restart`, a health
// check with expect_revision; with short intervals, for a test.

#include <cstdint>
#include <string>

#include "tests/e2e/e2e_commands.h"

namespace upkeep::testing {

struct ManagedRenderManager {
  std::string tokens_file;
  std::string database;  // the service's RENDER_DB
  std::string checkout;
  std::string user;  // update.user
  std::string state_dir;
  std::string pm2;  // pm2's executable
  uint16_t port = 0;
  Environment env;  // update.env: what the steps and the restart need (PM2_HOME, ...)
};

std::string RenderManagerUpkeepConfig(const ManagedRenderManager& service);

}  // namespace upkeep::testing
