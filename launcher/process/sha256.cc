#include "sha256.h"

#include <nettle/base16.h>

namespace husk::process {

Sha256::Sha256() { sha256_init(&context_); }

void Sha256::update(const void* data, size_t size) {
  sha256_update(&context_, size, static_cast<const uint8_t*>(data));
}

Sha256::Digest Sha256::finish() {
  Digest digest{};
  sha256_digest(&context_, digest.size(), digest.data());
  return digest;
}

Sha256::Digest Sha256::of(std::string_view text) {
  Sha256 sha;
  sha.update(text);
  return sha.finish();
}

std::string Sha256::hex(const Digest& digest) {
  std::string text(BASE16_ENCODE_LENGTH(digest.size()), '\0');
  base16_encode_update(text.data(), digest.size(), digest.data());
  return text;
}

}  // namespace husk::process
