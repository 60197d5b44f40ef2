// read_file: a whole small file (config.json, a sysfs or procfs entry) into a string.
#pragma once

#include <string>

#include "error.h"

namespace husk::oci {

// Errors read "open PATH" or "read PATH" with the errno.
Result<std::string> read_file(const std::string& path);

}  // namespace husk::oci
