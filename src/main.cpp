#include "cli/cli.h"

int main(int argc, char** argv) {
  return trailgate::cli::run(argc, argv);
}
