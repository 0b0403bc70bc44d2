// Fixed-capacity ring of readings, oldest first, over storage the caller owns (no heap).
//
// Full policy: drop the oldest. A board cannot block its sensor, and the newest readings are the
// ones an operator looks at first; the gap shows up as missing seq numbers at the gateway.
#pragma once
#include <stdint.h>
#include "Reading.h"

namespace sheetlog {

class ReadingRing {
 public:
  ReadingRing(Reading* slots, uint16_t capacity) : slots_(slots), capacity_(capacity) {}

  uint16_t size() const { return size_; }
  uint16_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }

  // Appends a copy of `r`. When full, the oldest reading is dropped first: returns true and
  // stores its seq in *droppedSeq (when not null).
  bool push(const Reading& r, uint32_t* droppedSeq);

  // i = 0 is the oldest. i must be < size().
  Reading& at(uint16_t i) { return slots_[index(i)]; }
  const Reading& at(uint16_t i) const { return slots_[index(i)]; }

  void popFront();

  // Cumulative acknowledgement: drops readings from the front while their seq <= `seq`.
  // Returns how many were dropped.
  uint16_t dropThrough(uint32_t seq);

  // The reading with this seq, or nullptr.
  Reading* find(uint32_t seq);

  void clear() { head_ = 0; size_ = 0; }

  // For keeping the ring across a reset (Retained.h): where the oldest reading is, the slot index
  // of entry i, and taking over a head and size found valid in retained memory.
  uint16_t head() const { return head_; }
  uint16_t physical(uint16_t i) const { return index(i); }
  void restore(uint16_t head, uint16_t size) {
    head_ = head < capacity_ ? head : 0;
    size_ = size <= capacity_ ? size : 0;
  }

 private:
  uint16_t index(uint16_t i) const {
    uint32_t j = static_cast<uint32_t>(head_) + i;
    return static_cast<uint16_t>(j >= capacity_ ? j - capacity_ : j);
  }

  Reading* slots_;
  uint16_t capacity_;
  uint16_t head_ = 0;
  uint16_t size_ = 0;
};

// A ring that owns its storage: `static ReadingBuffer<200> buffer;` costs 200 * 64 bytes of RAM.
template <uint16_t Capacity>
class ReadingBuffer : public ReadingRing {
  static_assert(Capacity > 0, "a buffer needs at least one slot");

 public:
  ReadingBuffer() : ReadingRing(storage_, Capacity) {}

 private:
  Reading storage_[Capacity];
};

}  // namespace sheetlog
