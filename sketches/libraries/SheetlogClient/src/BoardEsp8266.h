// ESP8266: the core's own watchdogs, the SDK's reset reason, the retained header in RTC user
// memory (which survives every reset and deep sleep, but not power loss).
//
// The core runs a software watchdog (about 3.2 s) over the hardware one (about 8 s, which the SDK
// feeds). loop() returning, yield() and delay() feed the software one; so does ESP.wdtFeed(),
// which the sketches call once per pass. The core's blocking calls (connect, write) yield while
// they wait and give up after their own timeouts (WiFiClient::setTimeout, PubSubClient's
// socket timeout), so the watchdog catches a loop stuck without yielding, not a slow call.
#pragma once
#include <Arduino.h>
#include <stdint.h>

#if defined(SHEETLOG_HOST_ESP8266)
#include <ESP8266WiFi.h>  // the host shim's ESP object and rst_info
#else
#include <Esp.h>
#include <user_interface.h>
#endif

#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"

namespace sheetlog {

// RTC user memory: 512 bytes in 4-byte blocks; the header (44 bytes) takes blocks 0..10.
class RtcHeaderStore : public HeaderStore {
 public:
  bool load(RetainedHeader* out) override {
    return ESP.rtcUserMemoryRead(kBlock, reinterpret_cast<uint32_t*>(out), sizeof *out);
  }
  void save(const RetainedHeader& h) override {
    ESP.rtcUserMemoryWrite(kBlock, reinterpret_cast<uint32_t*>(const_cast<RetainedHeader*>(&h)), sizeof h);
  }

 private:
  static const uint32_t kBlock = 0;
};

class Esp8266Board : public BlockingCalls {
 public:
  void startWatchdog(uint32_t timeoutMs) {
    (void)timeoutMs;  // the core's software watchdog has a fixed period
    ESP.wdtEnable(0);
  }
  void feed() { ESP.wdtFeed(); }
  uint32_t watchdogMs() const { return 3200; }
  ResetCause resetCause() {
    const rst_info* r = ESP.getResetInfoPtr();
    switch (r != nullptr ? r->reason : 0xFFu) {
      case REASON_DEFAULT_RST: return ResetCause::PowerOn;
      case REASON_WDT_RST: return ResetCause::Watchdog;
      case REASON_SOFT_WDT_RST: return ResetCause::Watchdog;
      case REASON_EXCEPTION_RST: return ResetCause::Crash;
      case REASON_SOFT_RESTART: return ResetCause::Software;
      case REASON_DEEP_SLEEP_AWAKE: return ResetCause::Wake;
      case REASON_EXT_SYS_RST: return ResetCause::Pin;
      default: return ResetCause::Unknown;
    }
  }
  HeaderStore& headerStore(RetainedHeader* ram) {
    (void)ram;
    return rtc_;
  }
  void restart() { ESP.restart(); }
  void allowBlocking(uint32_t) override {}  // the core's blocking calls yield, which feeds
  void blockingDone() override {}

 private:
  RtcHeaderStore rtc_;
};

}  // namespace sheetlog
