// A rollover-safe "every N ms" timer for loop(): `if (every.due(millis())) takeReading();`
// When loop() was blocked for several periods (WiFi101's begin() blocks), the missed periods are
// skipped rather than fired in a burst.
#pragma once
#include <stdint.h>

#include "MillisTime.h"

namespace sheetlog {

class Periodic {
 public:
  explicit Periodic(uint32_t periodMs) : periodMs_(periodMs ? periodMs : 1) {}

  // The first call is due at once.
  bool due(uint32_t nowMs) {
    if (started_ && !reached(nowMs, nextMs_)) return false;
    nextMs_ = started_ ? nextMs_ + periodMs_ : nowMs + periodMs_;
    started_ = true;
    if (reached(nowMs, nextMs_)) nextMs_ = nowMs + periodMs_;  // fell behind: skip, do not burst
    return true;
  }

  uint32_t periodMs() const { return periodMs_; }

 private:
  uint32_t periodMs_;
  uint32_t nextMs_ = 0;
  bool started_ = false;
};

}  // namespace sheetlog
