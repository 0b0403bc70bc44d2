// Host shim: the board clock behind millis()/micros().
//
// Virtual time = start + (real time since start) * speed + jumps. Tests keep speed 1 when they
// compare timestamps with the gateway's wall clock, use --clock-start near 2^32 to cross the
// millis() rollover within seconds, and `!host advance MS` to jump ahead instead of waiting.
#pragma once
#include <stdint.h>

namespace host {

void clockStart(uint32_t startMs, double speed);
// Virtual microseconds since the (virtual) epoch of millis() = 0, not wrapped.
uint64_t clockMicros64();
// Wall-clock epoch ms at the moment the clock started (millis() == start).
int64_t clockEpochAtStartMs();
uint32_t clockStartMs();
double clockSpeed();
// Jumps the clock forward (a board that was busy, or a test skipping a long wait).
void clockAdvanceMs(uint32_t ms);
// Sleeps for `ms` of virtual time.
void clockSleepMs(uint32_t ms);

}  // namespace host
