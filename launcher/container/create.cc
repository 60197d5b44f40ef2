#include "container/create.h"

#include <fcntl.h>

#include "lifecycle.h"

namespace husk::launch {

Status create(const Runtime& runtime, const CreateOptions& options) {
  auto container = Container::create(runtime, options, Container::Mode::kHeld);
  if (!container.ok()) return std::move(container).error();
  return container->release();
}

Status check_preserved_fds(int count) {
  for (int fd = 3; fd < 3 + count; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0)
      return Error::from_errno("--preserve-fds " + std::to_string(count) + ": fd " +
                               std::to_string(fd));
  }
  return {};
}

}  // namespace husk::launch
