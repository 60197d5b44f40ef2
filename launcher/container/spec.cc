#include "container/spec.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "default_spec.h"
#include "text_file.h"

namespace husk::launch {

Status write_default_spec(const SpecOptions& options) {
  std::string path = options.bundle + "/config.json";
  std::string text = oci::default_spec(options.rootless);
  auto written = write_text_file(path, text, O_CREAT | O_EXCL);
  if (!written.ok() && written.error().errno_value() == EEXIST)
    return Error(path + ": already exists; remove it first");
  return written;
}

}  // namespace husk::launch
