// names: small constant tables that map the spec's names ("RLIMIT_NOFILE", "SCHED_FIFO") to
// kernel numbers and back, shared by the files of process/.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace husk::process {

template <class T>
struct NamedValue {
  std::string_view name;
  T value;
};

template <class T>
std::optional<T> value_of(std::span<const NamedValue<T>> table, std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

template <class T>
std::optional<std::string_view> name_of(std::span<const NamedValue<T>> table, T value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return std::nullopt;
}

}  // namespace husk::process
