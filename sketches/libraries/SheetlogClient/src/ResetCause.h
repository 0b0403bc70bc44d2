// Why the board (re)started, as HELLO reset= reports it (docs/PROTOCOL.md).
#pragma once
#include <stdint.h>

namespace sheetlog {

enum class ResetCause : uint8_t {
  Unknown,
  PowerOn,    // power applied (RAM content is random)
  Brownout,   // supply dipped (RAM content is random)
  Pin,        // the reset button / RST pin (RAM kept)
  Watchdog,   // the hardware watchdog fired: loop() stopped making progress (RAM kept)
  Software,   // the firmware restarted itself (RAM kept)
  Crash,      // an exception (ESP8266) (RAM kept)
  Wake,       // woke from deep sleep (ESP8266: RTC memory kept, RAM lost)
};

inline const char* resetCauseName(ResetCause c) {
  switch (c) {
    case ResetCause::PowerOn: return "power";
    case ResetCause::Brownout: return "brownout";
    case ResetCause::Pin: return "pin";
    case ResetCause::Watchdog: return "watchdog";
    case ResetCause::Software: return "software";
    case ResetCause::Crash: return "crash";
    case ResetCause::Wake: return "wake";
    case ResetCause::Unknown: break;
  }
  return "unknown";
}

// Whether memory that startup code does not initialise can still hold the previous run's state.
inline bool resetKeepsRam(ResetCause c) {
  return c == ResetCause::Pin || c == ResetCause::Watchdog || c == ResetCause::Software || c == ResetCause::Crash;
}

}  // namespace sheetlog
