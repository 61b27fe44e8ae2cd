#pragma once

namespace ldp::cli {

/// Runs the ldp command line; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace ldp::cli
