// ATSAMD21 (Feather M0): the WDT through its registers, PM->RCAUSE, `.noinit` RAM. BoardSamd.cpp.
#pragma once
#include <stdint.h>

#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"

namespace sheetlog {

class SamdBoard : public BlockingCalls {
 public:
  // The WDT runs from the 32 kHz ultra-low-power oscillator divided to 1.024 kHz; its period is
  // 8 << PER cycles, 8 ms to 16 s: the first period >= timeoutMs (at most 16 s).
  void startWatchdog(uint32_t timeoutMs);
  void feed();
  uint32_t watchdogMs() const { return periodMs_; }
  ResetCause resetCause();
  HeaderStore& headerStore(RetainedHeader* ram) {
    ram_ = RamHeaderStore(ram);
    return ram_;
  }
  void restart();
  void allowBlocking(uint32_t maxMs) override;
  void blockingDone() override;

 private:
  uint32_t periodMs_ = 0;
  RamHeaderStore ram_{nullptr};
};

}  // namespace sheetlog
