// A monotonically increasing energy counter for the example sketches: integrates power over
// millis() into milliwatt-hours with integer arithmetic (exact, no float drift), so the reported
// `energy_wh` never goes backwards while the board runs. With a gateway field rule
// `{ "match": "energy_wh", "kind": "counter" }` (docs/FIELDS.md) the gateway NAKs a reading whose
// counter is lower than at an earlier seq of the same boot (COUNTER_BACKWARDS); a new boot may
// start again from 0. This counter lives in ordinary RAM: it restarts at 0 on every reset,
// including the resets after which the boot continues (watchdog, software, pin: docs/SKETCHES.md,
// "Resets"), so under such a rule the readings after such a reset are refused until the counter
// passes its value before the reset. A real meter keeps its total where the boot is kept, or starts
// a new boot when its total restarts.
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
