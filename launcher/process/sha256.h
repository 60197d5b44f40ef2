// sha256: the SHA-256 digest (FIPS 180-4), for the key and the check of a cached seccomp filter.
// Small and dependency-free: launch links no crypto library for one digest per start.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace husk::process {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  Digest finish();  // the digest; the object is spent

  static Digest of(std::string_view text);
  static std::string hex(const Digest& digest);

 private:
  void block(const uint8_t* data);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

}  // namespace husk::process
