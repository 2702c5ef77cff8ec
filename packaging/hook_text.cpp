// trailgate_hook_text FILE BINARY OUTPUT: writes the hook file FILE (pre-receive, update or
// chain-runner) exactly as `trailgate install` writes it for a trailgate installed at BINARY,
// checksum line included. `cmake --install` (and so the Debian package) ships these, so that the
// hooks in share/trailgate/hooks are the very files install would write, and a copy made by hand
// is recognised by install and uninstall as trailgate's own (docs/release.md).
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "install/hook_text.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: trailgate_hook_text pre-receive|update|chain-runner BINARY OUTPUT\n";
    return 2;
  }
  try {
    const std::string file = argv[1];
    using trailgate::install::HookKind;
    // The chain runner is one text for every hook: it runs the hook named by its own file name.
    const std::string text =
        file == "chain-runner"
            ? trailgate::install::hook_text(HookKind::chain_runner, "pre-receive", argv[2])
            : trailgate::install::hook_text(HookKind::shim, file, argv[2]);
    std::ofstream out(argv[3], std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::cerr << "trailgate_hook_text: cannot write " << argv[3] << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "trailgate_hook_text: " << e.what() << "\n";
    return 1;
  }
}
