// sha256: the SHA-256 digest, for the key and the check of a cached seccomp filter: a thin
// wrapper over nettle's (libnettle, linked statically into launch).
#pragma once

#include <nettle/sha2.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace husk::process {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, SHA256_DIGEST_SIZE>;

  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  Digest finish();  // the digest; the object is spent

  static Digest of(std::string_view text);
  static std::string hex(const Digest& digest);  // lower-case

 private:
  sha256_ctx context_{};
};

}  // namespace husk::process
