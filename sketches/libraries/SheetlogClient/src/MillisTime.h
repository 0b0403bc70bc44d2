// Time arithmetic on millis() values.
//
// millis() is a uint32_t that wraps every 2^32 ms (49.7 days). Every comparison here works on the
// unsigned difference of two instants, which stays correct across the wrap as long as the instants
// are less than 2^31 ms (24.8 days) apart. Never store millis in `unsigned long`: it is 64-bit on
// the Linux host, where `now - then` would then be wrong after a wrap.
#pragma once
#include <stdint.h>

namespace sheetlog {

// Milliseconds from `since` to `now` (now is not before since).
inline uint32_t elapsedMs(uint32_t now, uint32_t since) { return now - since; }

// a - b as a signed value: negative when a is before b.
inline int32_t diffMs(uint32_t a, uint32_t b) {
  uint32_t d = a - b;
  // Spelled out because converting an out-of-range unsigned value to int32_t is
  // implementation-defined before C++20.
  return d <= 0x7FFFFFFFu ? static_cast<int32_t>(d) : -static_cast<int32_t>(~d) - 1;
}

// True once `now` is at or after `deadline`.
inline bool reached(uint32_t now, uint32_t deadline) { return diffMs(now, deadline) >= 0; }

}  // namespace sheetlog
