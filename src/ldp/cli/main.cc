#include "ldp/cli/app.h"

int main(int argc, char** argv) { return ldp::cli::Main(argc, argv); }
