// text_file: writing a whole text to a file (state.json, the pid file, config.json, /proc files).
#pragma once

#include <fcntl.h>

#include <string>
#include <string_view>

#include "error.h"

namespace husk::launch {

// Writes all of `text`, retrying short writes and EINTR.
Status write_all(int fd, std::string_view text);

// open(path, O_WRONLY | O_CLOEXEC | extra_flags, mode), then write_all. Errors name the path.
Status write_text_file(const std::string& path, std::string_view text,
                       int extra_flags = O_CREAT | O_TRUNC, mode_t mode = 0644);

// Writes `text` to a temporary file beside `path`, then renames it over `path`: a reader never
// sees half of it (the pid file). Errors name the path.
Status write_file_atomically(const std::string& path, std::string_view text);

}  // namespace husk::launch
