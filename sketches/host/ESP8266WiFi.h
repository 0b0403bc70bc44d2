// Host shim: the ESP8266 core's Wi-Fi API as the sketches use it. Station mode joins in the
// background and reconnects by itself, as on the board; the harness decides when Wi-Fi is in range.
#pragma once
#include <sys/random.h>

// sheetlog's Board.h picks the ESP8266 code (watchdog, reset reason, RTC memory) on this shim.
#define SHEETLOG_HOST_ESP8266 1

#include "Arduino.h"
#include "HostControl.h"
#include "HostSocketClient.h"
#include "HostWiFiStatus.h"
#include "IPAddress.h"

typedef enum { WIFI_OFF = 0, WIFI_STA = 1, WIFI_AP = 2, WIFI_AP_STA = 3 } WiFiMode_t;

class ESP8266WiFiClass {
 public:
  bool mode(WiFiMode_t m) {
    mode_ = m;
    return true;
  }
  void persistent(bool) {}
  bool setAutoReconnect(bool on) {
    autoReconnect_ = on;
    return true;
  }
  bool hostname(const char*) { return true; }
  wl_status_t begin(const char* ssid, const char* password = nullptr) {
    (void)ssid;
    (void)password;
    begun_ = mode_ != WIFI_OFF;
    return status();
  }
  bool disconnect(bool wifiOff = false) {
    begun_ = false;
    if (wifiOff) mode_ = WIFI_OFF;
    return true;
  }
  wl_status_t status() {
    if (!begun_) return WL_IDLE_STATUS;
    bool up = host::wifiInRange();
    if (!up && !autoReconnect_ && wasUp_) begun_ = false;
    wasUp_ = up;
    return up ? WL_CONNECTED : WL_DISCONNECTED;
  }
  bool isConnected() { return status() == WL_CONNECTED; }
  IPAddress localIP() { return status() == WL_CONNECTED ? IPAddress(127, 0, 0, 1) : IPAddress(); }
  int32_t RSSI() { return status() == WL_CONNECTED ? -58 : 31; }

 private:
  WiFiMode_t mode_ = WIFI_STA;
  bool begun_ = false;
  bool autoReconnect_ = true;
  bool wasUp_ = false;
};

inline ESP8266WiFiClass WiFi;

class WiFiClient : public HostSocketClient {
 public:
  // As in the ESP8266 core: Nagle is on unless setDefaultNoDelay(true) was called before the
  // connection was made; setNoDelay() changes only an open connection (a no-op before connect()).
  static void setDefaultNoDelay(bool on) { defaultNoDelay() = on; }
  static bool getDefaultNoDelay() { return defaultNoDelay(); }
  void setNoDelay(bool on) { setNoDelayOption(on); }
  void setTimeout(unsigned long ms) { Stream::setTimeout(ms); }

 protected:
  bool noDelayForNewConnections() const override { return defaultNoDelay(); }

 private:
  static bool& defaultNoDelay() {
    static bool on = false;
    return on;
  }
};

// The SDK's reset information (user_interface.h), as far as the sketches read it.
enum rst_reason {
  REASON_DEFAULT_RST = 0,
  REASON_WDT_RST = 1,
  REASON_EXCEPTION_RST = 2,
  REASON_SOFT_WDT_RST = 3,
  REASON_SOFT_RESTART = 4,
  REASON_DEEP_SLEEP_AWAKE = 5,
  REASON_EXT_SYS_RST = 6
};
struct rst_info {
  uint32_t reason;
};

// The ESP object of the ESP8266 core (hardware random numbers, heap, chip id, watchdog, reset
// reason, RTC user memory). The software watchdog is the emulated board's (3.2 s, as the core's).
class EspClass {
 public:
  void wdtEnable(uint32_t) { host::watchdogStart(3200); }
  void wdtFeed() { host::watchdogFeed(); }
  rst_info* getResetInfoPtr() {
    // host cause codes are sheetlog::ResetCause values
    static const uint32_t reasons[] = {REASON_DEFAULT_RST, REASON_DEFAULT_RST, REASON_DEFAULT_RST, REASON_EXT_SYS_RST,
                                       REASON_SOFT_WDT_RST, REASON_SOFT_RESTART, REASON_EXCEPTION_RST,
                                       REASON_DEEP_SLEEP_AWAKE};
    uint8_t c = host::resetCauseCode();
    info_.reason = c < 8 ? reasons[c] : static_cast<uint32_t>(REASON_DEFAULT_RST);
    return &info_;
  }
  // offset in 4-byte blocks, size in bytes (a multiple of 4), 512 bytes in all, as in the core.
  bool rtcUserMemoryRead(uint32_t offset, uint32_t* data, size_t size) {
    if (offset * 4 + size > sizeof host::rtcUserMemory || (size % 4) != 0) return false;
    memcpy(data, &host::rtcUserMemory[offset], size);
    return true;
  }
  bool rtcUserMemoryWrite(uint32_t offset, uint32_t* data, size_t size) {
    if (offset * 4 + size > sizeof host::rtcUserMemory || (size % 4) != 0) return false;
    memcpy(&host::rtcUserMemory[offset], data, size);
    return true;
  }
  uint32_t random() {
    uint32_t v = 0;
    if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) v = static_cast<uint32_t>(micros());
    return v;
  }
  uint32_t getFreeHeap() { return 40000; }
  uint32_t getChipId() { return 0x00C0FFEE; }
  void restart() { host::resetBoard(5); }

 private:
  rst_info info_ = {0};
};

inline EspClass ESP;
