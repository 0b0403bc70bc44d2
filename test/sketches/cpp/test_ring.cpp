// ReadingRing / ReadingBuffer: order, wrap-around, overflow policy, cumulative-ACK prefix drop.
#include "ReadingRing.h"
#include "check.h"

using sheetlog::Reading;
using sheetlog::ReadingBuffer;

namespace {

Reading make(uint32_t seq) {
  Reading r;
  memset(&r, 0, sizeof r);
  r.seq = seq;
  r.takenMs = seq * 10;
  snprintf(r.fields, sizeof r.fields, "n=%u", static_cast<unsigned>(seq));
  return r;
}

}  // namespace

TEST(ring_keeps_order_and_wraps_around) {
  ReadingBuffer<4> ring;
  uint32_t dropped = 0;
  for (uint32_t s = 1; s <= 3; ++s) CHECK(!ring.push(make(s), &dropped));
  ring.popFront();
  ring.popFront();  // head moves to slot 2: the next pushes wrap to slots 0 and 1
  CHECK(!ring.push(make(4), &dropped));
  CHECK(!ring.push(make(5), &dropped));
  CHECK(!ring.push(make(6), &dropped));
  CHECK_EQ(ring.size(), 4);
  CHECK(ring.full());
  for (uint16_t i = 0; i < 4; ++i) CHECK_EQ(ring.at(i).seq, 3u + i);
  CHECK_STR(ring.at(3).fields, "n=6");
}

TEST(ring_overflow_drops_the_oldest) {
  ReadingBuffer<3> ring;
  uint32_t dropped = 0;
  for (uint32_t s = 1; s <= 3; ++s) ring.push(make(s), &dropped);
  CHECK(ring.push(make(4), &dropped));
  CHECK_EQ(dropped, 1u);
  CHECK(ring.push(make(5), &dropped));
  CHECK_EQ(dropped, 2u);
  CHECK_EQ(ring.size(), 3);
  CHECK_EQ(ring.at(0).seq, 3u);
  CHECK_EQ(ring.at(2).seq, 5u);
}

TEST(ring_ack_drops_the_prefix_only) {
  ReadingBuffer<8> ring;
  uint32_t dropped = 0;
  for (uint32_t s = 1; s <= 6; ++s) ring.push(make(s), &dropped);
  CHECK_EQ(ring.dropThrough(0), 0);
  CHECK_EQ(ring.dropThrough(3), 3);
  CHECK_EQ(ring.at(0).seq, 4u);
  CHECK_EQ(ring.dropThrough(3), 0);  // a repeated ACK changes nothing
  CHECK_EQ(ring.dropThrough(100), 3);
  CHECK(ring.empty());
}

TEST(ring_ack_with_a_gap_in_the_numbering) {
  // Seqs 2 and 3 were lost to an overflow: ACK 4 still drops everything up to 4.
  ReadingBuffer<8> ring;
  uint32_t dropped = 0;
  const uint32_t seqs[] = {1, 4, 5, 9};
  for (uint32_t s : seqs) ring.push(make(s), &dropped);
  CHECK_EQ(ring.dropThrough(4), 2);
  CHECK_EQ(ring.at(0).seq, 5u);
  CHECK(ring.find(9) != nullptr);
  CHECK(ring.find(4) == nullptr);
}

TEST(ring_find_and_clear) {
  ReadingBuffer<2> ring;
  uint32_t dropped = 0;
  ring.push(make(7), &dropped);
  ring.push(make(8), &dropped);
  ring.push(make(9), &dropped);  // wraps
  CHECK(ring.find(7) == nullptr);
  CHECK(ring.find(9) != nullptr && ring.find(9)->takenMs == 90u);
  ring.clear();
  CHECK(ring.empty());
  ring.popFront();  // harmless on empty
  CHECK_EQ(ring.size(), 0);
}

TEST(ring_slot_is_64_bytes) {
  CHECK_EQ(sizeof(Reading), 64u);
  // The RAM figures in docs/SKETCHES.md: storage plus a small header (pointer + 3 counters).
  CHECK(sizeof(ReadingBuffer<200>) <= 200 * 64 + 16);
  CHECK(sizeof(ReadingBuffer<150>) <= 150 * 64 + 16);
}
