#pragma once

#include <string>
#include <string_view>

namespace upkeep {

// `url` without its userinfo, for answers and logs: "https://user:token@host/x.git" becomes
// "https://host/x.git". In scp-like syntax ("git@host:x.git") the user is a login name, not a
// secret, and stays, unless it carries a password ("user:pw@host:x.git" becomes "host:x.git").
std::string StripUserinfo(std::string_view url);

// git:// and http:// carry no authentication of the server: whoever sits on the path can serve
// other commits. Such remotes are fetched only with allow_insecure_transport.
bool IsInsecureTransport(std::string_view url);

// "ssh", "https", "git", "file", ... in lower case; "ssh" for scp-like syntax ("git@host:x"),
// "file" for a plain path.
std::string TransportScheme(std::string_view url);

}  // namespace upkeep
