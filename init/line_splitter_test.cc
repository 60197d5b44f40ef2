#include "line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace husk {
namespace {

// Feeds each chunk in turn, then flushes when asked; returns every line or piece given out.
template <std::size_t kCapacity>
std::vector<std::string> split(const std::vector<std::string>& chunks, bool flush = false) {
  LineSplitter<kCapacity> splitter;
  std::vector<std::string> out;
  auto emit = [&out](std::string_view line) { out.emplace_back(line); };
  for (const std::string& chunk : chunks) splitter.feed(chunk, emit);
  if (flush) splitter.flush(emit);
  return out;
}

using Lines = std::vector<std::string>;

TEST(LineSplitter, WholeLinesComeOutWithoutTheirNewline) {
  EXPECT_EQ(split<16>({"one\ntwo\n\nthree\n"}), (Lines{"one", "two", "", "three"}));
}

TEST(LineSplitter, ALineReadInPartsComesOutWhole) {
  EXPECT_EQ(split<16>({"he", "llo", " wor", "ld\nnext", "\n"}), (Lines{"hello world", "next"}));
  EXPECT_EQ(split<16>({"abc", "\n", "\n"}), (Lines{"abc", ""}));
}

TEST(LineSplitter, APartialLineWaitsForItsNewlineOrTheFlush) {
  EXPECT_EQ(split<16>({"done\npart"}), (Lines{"done"}));
  EXPECT_EQ(split<16>({"done\npart"}, true), (Lines{"done", "part"}));
  EXPECT_EQ(split<16>({"done\n"}, true), (Lines{"done"}));  // nothing held: no empty line
}

TEST(LineSplitter, ALongLineComesOutInPiecesOfTheCapacity) {
  EXPECT_EQ(split<4>({"abcdefghij\n"}), (Lines{"abcd", "efgh", "ij"}));
  EXPECT_EQ(split<4>({"ab", "cdefghij", "\n"}), (Lines{"abcd", "efgh", "ij"}));
  EXPECT_EQ(split<4>({"a", "b", "c", "d", "e", "\n"}), (Lines{"abcd", "e"}));
  EXPECT_EQ(split<4>({"abcdefgh"}, true), (Lines{"abcd", "efgh"}));
}

TEST(LineSplitter, ALineOfExactlyTheCapacityIsOneLineNotTwo) {
  EXPECT_EQ(split<4>({"abcd\nefgh\n"}), (Lines{"abcd", "efgh"}));
  EXPECT_EQ(split<4>({"abcd", "\nx\n"}), (Lines{"abcd", "x"}));
  EXPECT_EQ(split<4>({"ab", "cd", "\n", "x\n"}), (Lines{"abcd", "x"}));
  EXPECT_EQ(split<4>({"abcd"}, true), (Lines{"abcd"}));
}

TEST(LineSplitter, EveryWayOfCuttingTheInputGivesTheSameLines) {
  const std::string text = "a\nbcdefghijk\n\nlmnop\nqrstuvwxyz0123\nend";
  const Lines whole = split<5>({text}, true);
  EXPECT_EQ(whole, (Lines{"a", "bcdef", "ghijk", "", "lmnop", "qrstu", "vwxyz", "0123", "end"}));
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    for (std::size_t cut2 = cut; cut2 <= text.size(); ++cut2) {
      EXPECT_EQ(
          split<5>({text.substr(0, cut), text.substr(cut, cut2 - cut), text.substr(cut2)}, true),
          whole)
          << "cut at " << cut << " and " << cut2;
    }
  }
}

TEST(LineSplitter, BytesPassUnchanged) {
  const std::string binary("\0\x01\r\x7f\xff", 5);
  EXPECT_EQ(split<16>({binary + "\n"}), (Lines{binary}));
}

}  // namespace
}  // namespace husk
