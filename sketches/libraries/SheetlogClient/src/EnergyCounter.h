// A monotonically increasing energy counter for the example sketches: integrates power over
// millis() into milliwatt-hours with integer arithmetic (exact, no float drift), so the reported
// `energy_wh` never goes backwards while the board runs. With a gateway field rule
// `{ "match": "energy_wh", "kind": "counter" }` (docs/FIELDS.md) the gateway NAKs a reading whose
// counter is lower than at an earlier seq of the same boot (COUNTER_BACKWARDS); a new boot may
// start again from 0. So the total is kept with the boot: ExampleLogger hands it to the Retention
// (Retained.h: the retained header, under its checksum) at every pass, and after a reset that
// continues the boot (watchdog, software, pin: docs/SKETCHES.md, "Resets") resume() carries on from
// it; a new boot (power-on, a header that fails its checksum) starts at 0. The energy drawn between
// the last save and the end of the reset (at most a pass plus the watchdog period and the boot) is
// not counted: the simulated meter cannot measure while the board is down.
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
  // Milliwatt-milliseconds not yet a whole milliwatt-hour (below 3,600,000).
  uint32_t remainder() const { return static_cast<uint32_t>(remainder_); }

  // Carries on from a kept total (milliWattHours(), remainder()) after a reset; the next
  // addPower() only sets the start, so the time the board was down is not counted.
  void resume(uint64_t milliWattHours, uint32_t remainder) {
    milliWattHours_ = milliWattHours + remainder / kMsPerHour;
    remainder_ = remainder % kMsPerHour;
    started_ = false;
  }

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
