// Writing files so that readers and other writers never see half of one: a new file is written
// whole under a temporary name and renamed into place, and a line is appended to a shared log
// under an exclusive flock() in one write() to an O_APPEND descriptor. POSIX only; nothing here
// throws.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace trailgate::util {

// Creates `path`, which must not exist yet (O_EXCL; a symlink there is not followed), writes all
// of `data`, then sets `mode` (whatever the umask) and fsyncs and closes it, so the file has its
// final mode only once it is complete. Returns 0, or the errno of the step that failed, in which
// case the file is removed again.
int write_new_file(const std::string& path, std::string_view data, mode_t mode);

// Appends `line` and a newline to the file at `path`: creates its directory (one level) and the
// file (mode 0666 before umask) when missing; waits at most `lock_timeout_ms` for an exclusive
// flock(); writes in one write() to an O_APPEND descriptor, starting a fresh line first when an
// earlier writer left the file without a final newline; then fdatasync()s. Returns "" on success,
// else one sentence saying what failed. `path` must be a regular file; `line` should hold no
// newline of its own.
std::string append_line_locked(const std::string& path, std::string_view line, int lock_timeout_ms);

}  // namespace trailgate::util
