#pragma once
// ldp's public C++ API, all of it: `#include <ldp/ldp.h>`, link `ldp::ldp` (CMake) or
// `pkg-config --libs ldp`. See docs/cpp-api.md.

#include "ldp/arrow.h"
#include "ldp/project.h"
#include "ldp/status.h"
#include "ldp/version.h"
