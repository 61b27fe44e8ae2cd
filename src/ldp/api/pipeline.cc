// Where the library finds the `ldp` command that runs each pipeline task (ldp::Project::RunPipeline,
// include/ldp/project.h): child processes run `ldp task run`, as under `ldp run`.

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "ldp/core/status.h"
#include "ldp/project.h"

namespace ldp {

namespace {

bool Executable(const std::string& p) { return !p.empty() && access(p.c_str(), X_OK) == 0 && !std::filesystem::is_directory(p); }

}  // namespace

// The ldp command: the option, $LDP_BINARY, LIBDIR/../bin/ldp beside this library, the PATH.
Result<std::string> FindLdpBinary(const std::string& option) {
  if (!option.empty()) {
    if (!Executable(option)) return NotFound("ldp_binary {} is not an executable file", option);
    return option;
  }
  if (const char* env = std::getenv("LDP_BINARY"); env && *env) {
    if (!Executable(env)) return NotFound("LDP_BINARY={} is not an executable file", env);
    return std::string(env);
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&FindLdpBinary), &info) && info.dli_fname) {
    std::error_code ec;
    auto lib = std::filesystem::canonical(info.dli_fname, ec);
    if (!ec) {
      for (const char* rel : {"../bin/ldp", "ldp"}) {  // installed layout; a program beside ldp
        std::string candidate = (lib.parent_path() / rel).lexically_normal().string();
        if (Executable(candidate)) return candidate;
      }
    }
  }
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t colon = p.find(':', start);
      std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!dir.empty() && Executable(dir + "/ldp")) return dir + "/ldp";
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  return NotFound(
      "cannot find the ldp command that runs pipeline tasks: pass ldp_binary, set LDP_BINARY, or install ldp "
      "beside the library (LIBDIR/../bin/ldp) or on the PATH");
}

}  // namespace ldp
