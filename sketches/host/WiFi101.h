// Host shim: the WiFi101 library's API (ATWINC1500, Feather M0 WiFi) as the sketches use it.
// Like the real library: WiFi.setPins() must come first (otherwise no module is found), begin()
// blocks until joined or failed, and a lost network stays lost until begin() is called again.
#pragma once
#include "Arduino.h"
#include "HostClock.h"
#include "HostControl.h"
#include "HostSocketClient.h"
#include "HostWiFiStatus.h"
#include "IPAddress.h"

class WiFiClass {
 public:
  void setPins(int8_t cs, int8_t irq, int8_t rst, int8_t en = -1) {
    (void)cs;
    (void)irq;
    (void)rst;
    (void)en;
    pinsSet_ = true;
  }
  // Blocks until joined, or fails after kJoinTimeoutMs of board time without the network (a
  // scan that finds no access point); the harness keeps serving its stdin commands meanwhile.
  uint8_t begin(const char* ssid, const char* password) {
    (void)ssid;
    (void)password;
    if (!pinsSet_) return WL_NO_SHIELD;
    uint32_t start = static_cast<uint32_t>(millis());
    while (!host::wifiInRange() && static_cast<uint32_t>(millis()) - start < kJoinTimeoutMs) {
      host::clockSleepMs(10);
      host::service();
    }
    joined_ = host::wifiInRange();
    return joined_ ? WL_CONNECTED : WL_CONNECT_FAILED;
  }
  uint8_t status() {
    if (!pinsSet_) return WL_NO_SHIELD;
    if (joined_ && !host::wifiInRange()) joined_ = false;  // no automatic rejoin
    return joined_ ? WL_CONNECTED : WL_IDLE_STATUS;
  }
  void end() { joined_ = false; }
  void lowPowerMode() {}
  void noLowPowerMode() {}
  IPAddress localIP() { return joined_ ? IPAddress(127, 0, 0, 1) : IPAddress(); }
  int32_t RSSI() { return joined_ ? -63 : 0; }
  const char* firmwareVersion() { return "19.6.1"; }

 private:
  static const uint32_t kJoinTimeoutMs = 2000;
  bool pinsSet_ = false;
  bool joined_ = false;
};

inline WiFiClass WiFi;

class WiFiClient : public HostSocketClient {
 protected:
  // The ATWINC1500 sends each write at once; there is no setNoDelay() in WiFi101.
  bool noDelayForNewConnections() const override { return true; }
};
