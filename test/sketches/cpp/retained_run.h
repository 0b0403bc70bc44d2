// A board's no-init memory and one "run" over it (test_retained.cpp, test_counter.cpp): the memory
// outlives every run; each run builds its ring, retention and session afresh over it, as a board
// does after a reset.
#pragma once
#include <stdint.h>
#include <string.h>

#include "Retained.h"
#include "Session.h"

namespace sheetlog_test {

struct Memory {
  sheetlog::RetainedSlots<8> retained;
  Memory() { memset(&retained, 0xA5, sizeof retained); }  // what RAM holds before anything wrote it
};

struct RetainedRun {
  sheetlog::RamHeaderStore store;
  sheetlog::ReadingRing ring;
  sheetlog::Retention retention;
  sheetlog::SessionSettings settings{"dev-1", "tok"};
  sheetlog::Session session;
  sheetlog::Restored restored;
  RetainedRun(Memory& m, uint32_t freshBoot, sheetlog::ResetCause cause, uint32_t gapMs)
      : store(&m.retained.header), ring(m.retained.slots, 8), retention(m.retained, store), session(ring, settings) {
    restored = session.begin(freshBoot, cause, &retention, gapMs);
  }
};

}  // namespace sheetlog_test
