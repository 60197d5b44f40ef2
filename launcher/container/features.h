// features: the runtime-spec features document (`launch features`): what launch really
// supports, from the same name lists the config parser checks against.
#pragma once

#include <string>

namespace husk::launch {

std::string features_json();

}  // namespace husk::launch
