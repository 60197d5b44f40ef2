#include "container/run.h"

#include "container/delete.h"
#include "container/start.h"
#include "lifecycle.h"

namespace husk::launch {

Result<int> run(const Runtime& runtime, const RunOptions& options) {
  if (options.detach) {
    if (options.create.id.empty()) return Error("run --detach: needs a container ID");
    HUSK_TRY(create(runtime, options.create));
    if (auto started = start(runtime, options.create.id); !started.ok()) {
      (void)remove(runtime, {options.create.id, true});
      return std::move(started).error();
    }
    return 0;
  }
  auto container = Container::create(runtime, options.create, Container::Mode::kForeground);
  if (!container.ok()) return std::move(container).error();
  HUSK_TRY(container->start());
  auto code = container->wait();
  if (!code.ok()) return std::move(code).error();
  HUSK_TRY(container->destroy());
  return *code;
}

}  // namespace husk::launch
