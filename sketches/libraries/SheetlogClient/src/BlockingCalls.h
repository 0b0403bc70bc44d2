// A library call that blocks longer than the board's watchdog period, with a known bound
// (WiFi101's connect(): 20 s), announced to the board (Board.h) so its watchdog lets it finish.
// Board-independent: the clients take a BlockingCalls* and work without one.
#pragma once
#include <stdint.h>

namespace sheetlog {

// A library call that may block longer than the watchdog period, with a known bound.
class BlockingCalls {
 public:
  virtual void allowBlocking(uint32_t maxMs) = 0;
  virtual void blockingDone() = 0;

 protected:
  ~BlockingCalls() {}
};

// Marks a bounded blocking call for its scope.
class BlockingScope {
 public:
  BlockingScope(BlockingCalls* calls, uint32_t maxMs) : calls_(calls) {
    if (calls_ != nullptr) calls_->allowBlocking(maxMs);
  }
  ~BlockingScope() {
    if (calls_ != nullptr) calls_->blockingDone();
  }

 private:
  BlockingCalls* calls_;
};

}  // namespace sheetlog
