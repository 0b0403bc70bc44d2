// The host shim's emulated board (sketches/host): a watchdog in board time, resets that keep the
// SHEETLOG_NOINIT section (the process re-executes itself with that memory), the reset cause.
#pragma once
#include <HostControl.h>
#include <stdint.h>

#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"

namespace sheetlog {

class HostBoard : public BlockingCalls {
 public:
  void startWatchdog(uint32_t timeoutMs) {
    periodMs_ = timeoutMs;
    host::watchdogStart(timeoutMs);
  }
  void feed() { host::watchdogFeed(); }
  uint32_t watchdogMs() const { return periodMs_; }
  ResetCause resetCause() { return static_cast<ResetCause>(host::resetCauseCode()); }
  HeaderStore& headerStore(RetainedHeader* ram) {
    ram_ = RamHeaderStore(ram);
    return ram_;
  }
  void restart() { host::resetBoard(static_cast<uint8_t>(ResetCause::Software)); }
  void allowBlocking(uint32_t maxMs) override { host::watchdogAllow(maxMs); }
  void blockingDone() override { host::watchdogAllow(0); }

 private:
  uint32_t periodMs_ = 0;
  RamHeaderStore ram_{nullptr};
};

}  // namespace sheetlog
