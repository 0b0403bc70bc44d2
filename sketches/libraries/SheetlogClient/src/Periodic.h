// A rollover-safe "every N ms" timer for loop(): `if (every.due(millis())) takeReading();`
//
// A period is never dropped silently. When loop() comes late (a blocking radio call, a slow
// write), due() is true at once, so the reading is taken late with its true time, and the cadence
// stays on its grid. Only when a whole period passed without any chance to sample (loop() was
// held up for more than a period) are those periods skipped rather than fired in a burst; they
// are counted, and the sketch reports the count to the gateway (HELLO missed=, docs/PROTOCOL.md).
// Call restart() when sampling resumes after a deliberate pause: those periods were not missed.
#pragma once
#include <stdint.h>

#include "MillisTime.h"

namespace sheetlog {

class Periodic {
 public:
  explicit Periodic(uint32_t periodMs) : periodMs_(periodMs ? periodMs : 1) {}

  // The first call (and the first after restart()) is due at once.
  bool due(uint32_t nowMs) {
    if (!started_) {
      started_ = true;
      lastMs_ = nowMs;
      return true;
    }
    uint32_t since = elapsedMs(nowMs, lastMs_);
    if (since < periodMs_) return false;
    uint32_t periods = since / periodMs_;  // >= 1: this one is taken now, the others were missed
    missed_ += periods - 1;
    lastMs_ += periods * periodMs_;  // keep the grid
    return true;
  }

  // Periods skipped since the last call (and resets the count).
  uint32_t takeMissed() {
    uint32_t m = missed_;
    missed_ = 0;
    return m;
  }

  void restart() { started_ = false; }

  uint32_t periodMs() const { return periodMs_; }

 private:
  uint32_t periodMs_;
  uint32_t lastMs_ = 0;  // when the current period started
  uint32_t missed_ = 0;
  bool started_ = false;
};

}  // namespace sheetlog
