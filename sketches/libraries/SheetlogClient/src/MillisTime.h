// Time arithmetic on millis() values.
//
// millis() is a uint32_t that wraps every 2^32 ms (49.7 days). Everything here works on the
// unsigned difference of two instants. Never store millis in `unsigned long`: it is 64-bit on
// the Linux host, where `now - then` would then be wrong after a wrap.
//
// Waits are measured as time elapsed since they started, never as a deadline compared with now:
// "now >= deadline" in signed arithmetic flips back to false 24.8 days after the deadline, so a
// retry timer nobody looked at for that long (Wi-Fi up for a month, sampling paused) would seem
// weeks away. Elapsed time is only fooled when nobody looked for a whole 49.7-day cycle, and then
// only for the length of the wait.
#pragma once
#include <stdint.h>

namespace sheetlog {

// Milliseconds from `since` to `now` (now is not before since).
inline uint32_t elapsedMs(uint32_t now, uint32_t since) { return now - since; }

// a - b as a signed value: negative when a is before b. For converting an instant relative to a
// reference (timestamps), valid while they are less than 24.8 days apart.
inline int32_t diffMs(uint32_t a, uint32_t b) {
  uint32_t d = a - b;
  // Spelled out because converting an out-of-range unsigned value to int32_t is
  // implementation-defined before C++20.
  return d <= 0x7FFFFFFFu ? static_cast<int32_t>(d) : -static_cast<int32_t>(~d) - 1;
}

// A wait of `forMs` that started at `sinceMs`. A default Wait is over at once.
struct Wait {
  uint32_t sinceMs = 0;
  uint32_t forMs = 0;

  void start(uint32_t nowMs, uint32_t durationMs) {
    sinceMs = nowMs;
    forMs = durationMs;
  }
  bool over(uint32_t nowMs) const { return elapsedMs(nowMs, sinceMs) >= forMs; }
};

}  // namespace sheetlog
