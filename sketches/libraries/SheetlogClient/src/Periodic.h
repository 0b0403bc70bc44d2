// A rollover-safe "every N ms" timer for loop(): `if (every.due(millis())) takeReading();`
// When loop() was blocked for several periods (WiFi101's begin() blocks) or due() was not asked
// for a long time (sampling paused), the missed periods are skipped rather than fired in a burst.
#pragma once
#include <stdint.h>

#include "MillisTime.h"

namespace sheetlog {

class Periodic {
 public:
  explicit Periodic(uint32_t periodMs) : periodMs_(periodMs ? periodMs : 1) {}

  // The first call is due at once.
  bool due(uint32_t nowMs) {
    if (!started_) {
      started_ = true;
      lastMs_ = nowMs;
      return true;
    }
    if (elapsedMs(nowMs, lastMs_) < periodMs_) return false;
    lastMs_ += periodMs_;  // keep the cadence when on time
    if (elapsedMs(nowMs, lastMs_) >= periodMs_) lastMs_ = nowMs;  // fell behind: skip, do not burst
    return true;
  }

  uint32_t periodMs() const { return periodMs_; }

 private:
  uint32_t periodMs_;
  uint32_t lastMs_ = 0;  // when the current period started
  bool started_ = false;
};

}  // namespace sheetlog
