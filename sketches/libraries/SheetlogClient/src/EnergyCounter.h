// A monotonically increasing energy counter for the example sketches: integrates power over
// millis() into milliwatt-hours with integer arithmetic (exact, no float drift), so the reported
// `energy_wh` never goes backwards (the gateway can NAK a counter that does).
#pragma once
#include <stdint.h>

#include "MillisTime.h"

namespace sheetlog {

class EnergyCounter {
 public:
  // Adds `milliwatts` drawn since the previous call (the first call only sets the start).
  void addPower(uint32_t milliwatts, uint32_t nowMs) {
    if (started_) {
      remainder_ += static_cast<uint64_t>(milliwatts) * elapsedMs(nowMs, lastMs_);
      milliWattHours_ += remainder_ / kMsPerHour;
      remainder_ %= kMsPerHour;
    }
    started_ = true;
    lastMs_ = nowMs;
  }

  // Thousandths of a watt-hour: FieldWriter::addMilli("energy_wh", counter.milliWattHours()).
  int64_t milliWattHours() const { return static_cast<int64_t>(milliWattHours_); }

 private:
  static const uint32_t kMsPerHour = 3600000UL;
  uint64_t milliWattHours_ = 0;
  uint64_t remainder_ = 0;  // milliwatt-milliseconds not yet a whole milliwatt-hour
  uint32_t lastMs_ = 0;
  bool started_ = false;
};

// The example sketches' simulated load: a 60 W heater cycling 30 s on, 30 s off, on top of
// 4.5 W standby.
inline uint32_t demoHeaterMilliwatts(uint32_t now) {
  bool heaterOn = (now / 30000UL) % 2 == 0;
  return heaterOn ? 64500UL : 4500UL;
}

}  // namespace sheetlog
