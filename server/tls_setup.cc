#include "server/tls_setup.h"

#include <civetweb.h>
#include <dlfcn.h>
#include <link.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <string_view>
#include <vector>

namespace upkeep {
namespace {

constexpr unsigned kFeatureTls = 2;  // MG_FEATURES_SSL

Status CanLoad(const char* name) {
  void* handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return MakeError(std::string("TLS is configured (web.tls) but ") + name +
                     " cannot be loaded: " + (why != nullptr ? why : "unknown error") +
                     ". CivetWeb loads libssl.so and libcrypto.so by those names at run time; "
                     "on Debian they come with the libssl-dev package "
                     "(scripts/install-deps.sh run installs it)");
  }
  ::dlclose(handle);
  return OkStatus();
}

// CivetWeb 1.15's `struct ssl_func` (src/openssl_dl.inl): {name, required, ptr}.
struct CivetSslFunc {
  const char* name;
  int required;  // 0: TLS_Mandatory
  void (*ptr)();
};
static_assert(sizeof(CivetSslFunc) == 24, "CivetWeb 1.15 ssl_func layout on LP64");

struct Segment {
  uintptr_t begin;
  uintptr_t end;
  bool writable;
};

std::vector<Segment> CivetwebSegments() {
  std::vector<Segment> segments;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        if (info->dlpi_name == nullptr ||
            std::strstr(info->dlpi_name, "libcivetweb.so") == nullptr) {
          return 0;
        }
        auto* list = static_cast<std::vector<Segment>*>(out);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& header = info->dlpi_phdr[i];
          if (header.p_type != PT_LOAD) continue;
          const uintptr_t begin = info->dlpi_addr + header.p_vaddr;
          list->push_back({begin, begin + header.p_memsz, (header.p_flags & PF_W) != 0});
        }
        return 1;
      },
      &segments);
  return segments;
}

// True when `pointer` is the start of the NUL-terminated `text` inside one of the segments.
bool PointsTo(const char* pointer, std::string_view text, const std::vector<Segment>& segments) {
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  for (const Segment& segment : segments) {
    if (address >= segment.begin && address + text.size() + 1 <= segment.end) {
      return std::memcmp(pointer, text.data(), text.size()) == 0 && pointer[text.size()] == '\0';
    }
  }
  return false;
}

// The table whose first two entries are `first` and `second`, or nullptr.
CivetSslFunc* FindTable(std::string_view first, std::string_view second,
                        const std::vector<Segment>& segments) {
  for (const Segment& segment : segments) {
    if (!segment.writable) continue;
    const uintptr_t start = (segment.begin + 7) & ~uintptr_t{7};
    for (uintptr_t at = start; at + 2 * sizeof(CivetSslFunc) <= segment.end; at += 8) {
      // Scanning libcivetweb's data segment by address is the point here.
      auto* entry = reinterpret_cast<CivetSslFunc*>(at);  // NOLINT(performance-no-int-to-ptr)
      if (PointsTo(entry[0].name, first, segments) && PointsTo(entry[1].name, second, segments)) {
        return entry;
      }
    }
  }
  return nullptr;
}

// Repairs SSL_get_peer_certificate in `table` and lists the mandatory functions still missing.
void RepairTable(CivetSslFunc* table, const std::vector<Segment>& segments,
                 std::vector<std::string>& missing) {
  constexpr size_t kMaxEntries = 256;
  for (size_t i = 0; i < kMaxEntries && table[i].name != nullptr; ++i) {
    CivetSslFunc& entry = table[i];
    if (entry.ptr != nullptr || entry.required != 0) continue;
    if (PointsTo(entry.name, "SSL_get_peer_certificate", segments)) {
      entry.ptr = reinterpret_cast<void (*)()>(&SSL_get1_peer_certificate);
    } else if (PointsTo(entry.name, std::string_view(entry.name, ::strnlen(entry.name, 64)),
                        segments)) {
      missing.emplace_back(entry.name);
    } else {
      missing.emplace_back("(an unreadable entry)");
    }
  }
}

}  // namespace

Status CheckTlsSupport() {
  if (mg_check_feature(kFeatureTls) == 0) {
    return MakeError("TLS is configured (web.tls) but this CivetWeb library was built without TLS");
  }
  if (Status ssl = CanLoad("libssl.so"); !ssl) return ssl;
  return CanLoad("libcrypto.so");
}

Status RepairCivetwebTls() {
  if (void* ssl = ::dlopen("libssl.so", RTLD_NOW | RTLD_LOCAL)) {
    const bool exported = ::dlsym(ssl, "SSL_get_peer_certificate") != nullptr;
    ::dlclose(ssl);
    if (exported) return OkStatus();  // an OpenSSL that still has it: nothing to repair
  }
  const std::vector<Segment> segments = CivetwebSegments();
  constexpr std::string_view kWhy =
      "; this libcivetweb cannot serve TLS with OpenSSL 3 (civetweb issue 1334)";
  CivetSslFunc* ssl_table = FindTable("SSL_free", "SSL_accept", segments);
  CivetSslFunc* crypto_table = FindTable("ERR_get_error", "ERR_error_string", segments);
  if (ssl_table == nullptr || crypto_table == nullptr) {
    return MakeError("cannot find CivetWeb's OpenSSL function table" + std::string(kWhy));
  }
  std::vector<std::string> missing;
  RepairTable(ssl_table, segments, missing);
  RepairTable(crypto_table, segments, missing);
  if (!missing.empty()) {
    std::string names;
    for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
    return MakeError("CivetWeb found no " + names + " in libssl.so/libcrypto.so" +
                     std::string(kWhy));
  }
  // What CivetWeb's own initialisation skipped when it failed half-way.
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  return OkStatus();
}

Status ConfigureTlsContext(void* ssl_ctx, const std::string& cert_file,
                           const std::string& key_file) {
  SSL_CTX* context = static_cast<SSL_CTX*>(ssl_ctx);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1) {
    return MakeError("cannot load web.tls.cert_file " + cert_file + ": " + OpenSslErrors());
  }
  // OpenSSL checks the key against the certificate here already ("key values mismatch").
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return MakeError("cannot load web.tls.key_file " + key_file + " for the certificate in " +
                     cert_file + ": " + OpenSslErrors());
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return MakeError("web.tls.key_file " + key_file + " does not match the certificate in " +
                     cert_file + ": " + OpenSslErrors());
  }
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) {
    return MakeError("cannot require TLS 1.2: " + OpenSslErrors());
  }
  return OkStatus();
}

std::string OpenSslErrors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

}  // namespace upkeep
