// Host shim: the ESP8266 core's Wi-Fi API as the sketches use it. Station mode joins in the
// background and reconnects by itself, as on the board; the harness decides when Wi-Fi is in range.
#pragma once
#include <sys/random.h>

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

// The ESP object of the ESP8266 core (hardware random numbers, heap, chip id).
class EspClass {
 public:
  uint32_t random() {
    uint32_t v = 0;
    if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) v = static_cast<uint32_t>(micros());
    return v;
  }
  uint32_t getFreeHeap() { return 40000; }
  uint32_t getChipId() { return 0x00C0FFEE; }
  void restart() { exit(3); }
};

inline EspClass ESP;
