#include "app/update_checker_options.h"

namespace upkeep {

UpdateCheckerOptions UpdateCheckerOptionsOf(const UpdateOptions& update,
                                            const std::string& helper_binary) {
  UpdateCheckerOptions options;
  options.helper_binary = helper_binary;
  options.request.repo = update.repo;
  options.request.remote = update.remote;
  options.request.branch = update.branch;
  options.request.allow_insecure_transport = update.allow_insecure_transport;
  options.request.changelog_limit = update.changelog_limit;
  options.request.credentials.ssh_key_file = update.credentials.ssh_key_file;
  options.request.credentials.ssh_known_hosts = update.credentials.ssh_known_hosts;
  options.https_token_file = update.credentials.https_token_file;
  options.user = update.user;
  options.min_fetch_interval = update.min_fetch_interval;
  options.fetch_timeout = update.fetch_timeout;
  return options;
}

}  // namespace upkeep
