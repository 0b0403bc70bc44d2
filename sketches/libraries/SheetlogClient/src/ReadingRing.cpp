#include "ReadingRing.h"

namespace sheetlog {

bool ReadingRing::push(const Reading& r, uint32_t* droppedSeq) {
  bool dropped = false;
  if (full()) {
    if (droppedSeq != nullptr) *droppedSeq = at(0).seq;
    popFront();
    dropped = true;
  }
  slots_[index(size_)] = r;
  ++size_;
  return dropped;
}

void ReadingRing::popFront() {
  if (size_ == 0) return;
  head_ = index(1);
  --size_;
}

uint16_t ReadingRing::dropThrough(uint32_t seq) {
  uint16_t n = 0;
  while (size_ > 0 && at(0).seq <= seq) {
    popFront();
    ++n;
  }
  return n;
}

Reading* ReadingRing::find(uint32_t seq) {
  for (uint16_t i = 0; i < size_; ++i) {
    if (at(i).seq == seq) return &at(i);
  }
  return nullptr;
}

}  // namespace sheetlog
