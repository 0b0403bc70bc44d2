// Jittered exponential backoff for reconnect attempts.
//
// Attempt n waits a random time in [d/2, d] with d = min(cap, base * 2^n) ("equal jitter"): the
// lower half keeps a board from hammering a gateway that is down, the random upper half spreads a
// fleet that lost Wi-Fi at the same moment so it does not reconnect in lockstep.
#pragma once
#include <stdint.h>

namespace sheetlog {

class Backoff {
 public:
  Backoff(uint32_t baseMs, uint32_t capMs);

  // Delay before the next attempt; `random32` is any uniformly random 32-bit value.
  uint32_t next(uint32_t random32);

  // The upper bound d of the next delay (before jitter).
  uint32_t ceilingMs() const;

  // Called once a connection really worked (HELLO OK): the next failure starts small again.
  void reset() { attempts_ = 0; }

  uint8_t attempts() const { return attempts_; }

 private:
  uint32_t baseMs_;
  uint32_t capMs_;
  uint8_t attempts_ = 0;
};

}  // namespace sheetlog
