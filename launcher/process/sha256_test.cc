// Sha256 against the FIPS 180-4 examples and a digest taken in pieces.
#include "sha256.h"

#include <gtest/gtest.h>

namespace husk::process {
namespace {

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(Sha256::hex(Sha256::of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hex(Sha256::of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::hex(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256::hex(Sha256::of(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecesMakeTheSameDigestAsTheWhole) {
  const std::string text(1000, 'x');
  for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 999}) {
    Sha256 sha;
    sha.update(std::string_view(text).substr(0, cut));
    sha.update(std::string_view(text).substr(cut));
    EXPECT_EQ(sha.finish(), Sha256::of(text)) << cut;
  }
}

}  // namespace
}  // namespace husk::process
