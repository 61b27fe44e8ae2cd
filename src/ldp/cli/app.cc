#include "ldp/cli/app.h"

#include <cstdio>

#include "ldp/core/version.h"

namespace ldp::cli {

int Main(int argc, char** argv) {
  std::printf("ldp %s\n", LDP_VERSION_STRING);
  return 0;
}

}  // namespace ldp::cli
