#pragma once

// API tokens for tests, made by the real `upkeep token` command.

#include <string>

namespace upkeep::testing {

// Runs `upkeep token create --name NAME --role ROLE --tokens-file FILE` and returns the token
// it printed ("" when it failed; the test then fails on the empty token).
std::string CreateToken(const std::string& tokens_file, const std::string& name,
                        const std::string& role);

// "Authorization: Bearer <credential>\r\n", for the extra headers of Request().
std::string Bearer(const std::string& credential);

}  // namespace upkeep::testing
