// Host shim: the ESP8266 core's Wi-Fi API as the sketches use it. Station mode joins in the
// background and reconnects by itself, as on the board; the harness decides when Wi-Fi is in range.
#pragma once
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <string>

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

// BearSSL::WiFiClientSecure of the ESP8266 core (WiFiClientSecureBearSSL.h) as the sketches use
// it, over OpenSSL (HostTls.h) restricted to what BearSSL does. As in the core: nothing is
// accepted until one of setInsecure / setFingerprint / setTrustAnchors was called; the
// fingerprint is SHA-1 (20 bytes); setBufferSizes(recv, xmit) before connect() makes the client
// ask for a maximum fragment length that fits `recv` and refuse larger records.
namespace BearSSL {

class X509List {
 public:
  X509List() = default;
  explicit X509List(const char* pemCert) { append(pemCert); }
  X509List(const X509List&) = delete;
  X509List& operator=(const X509List&) = delete;
  bool append(const char* pemCert) {
    size_t before = count_;
    for (const char* p = pemCert; (p = strstr(p, "-----BEGIN CERTIFICATE-----")) != nullptr; ++p) ++count_;
    if (count_ == before) return false;
    pem_ += pemCert;
    pem_ += "\n";
    return true;
  }
  size_t getCount() const { return count_; }
  // Host only: the PEM text OpenSSL loads.
  const char* hostPem() const { return pem_.c_str(); }

 private:
  std::string pem_;
  size_t count_ = 0;
};

class WiFiClientSecure : public WiFiClient {
 public:
  WiFiClientSecure() { useTls(&options_); }
  void setInsecure() {
    clearAuthentication();
    options_.insecure = true;
  }
  bool setFingerprint(const uint8_t fingerprint[20]) {
    clearAuthentication();
    options_.useFingerprint = true;
    memcpy(options_.fingerprintSha1, fingerprint, 20);
    return true;
  }
  // "AB:CD:..." or "ab cd ...": 20 hex bytes, separated by colons or spaces (or nothing).
  bool setFingerprint(const char* fpStr) {
    uint8_t fp[20];
    int idx = 0;
    const char* p = fpStr;
    while (idx < 20 && *p != '\0') {
      int hi = hexValue(*p++);
      if (*p == '\0') return false;
      int lo = hexValue(*p++);
      if (hi < 0 || lo < 0) return false;
      fp[idx++] = static_cast<uint8_t>((hi << 4) | lo);
      while (*p == ' ' || *p == ':') ++p;
    }
    if (idx != 20 || *p != '\0') return false;
    return setFingerprint(fp);
  }
  void setTrustAnchors(const X509List* ta) {
    clearAuthentication();
    options_.trustAnchorsPem = ta->hostPem();
  }
  void setX509Time(time_t now) { options_.x509Time = now; }
  // As the core: each clamped to 512..16384. A receive size under 16384 asks for the largest
  // maximum fragment length (512..4096) that fits it.
  void setBufferSizes(int recv, int xmit) {
    (void)xmit;
    if (recv < 512) recv = 512;
    options_.maxFragment = 0;
    for (uint16_t len = 4096; len >= 512 && recv < 16384; len /= 2) {
      if (recv >= len) {
        options_.maxFragment = len;
        break;
      }
    }
  }
  int getMFLNStatus() { return connected() && tlsFragmentNegotiated() ? 1 : 0; }
  int getLastSSLError(char* dest = nullptr, size_t len = 0) {
    if (dest != nullptr && len > 0) snprintf(dest, len, "%s", lastTlsError().text);
    return lastTlsError().code;
  }
  // Opens a connection only to learn whether the server agrees to fragments of `len` bytes.
  static bool probeMaxFragmentLength(const char* hostname, uint16_t port, uint16_t len) {
    WiFiClientSecure probe;
    probe.setInsecure();
    probe.setBufferSizes(len, len);
    bool agreed = probe.connect(hostname, port) == 1 && probe.getMFLNStatus() == 1;
    probe.stop();
    return agreed;
  }
  static bool probeMaxFragmentLength(IPAddress ip, uint16_t port, uint16_t len) {
    char text[16];
    ip.format(text, sizeof text);
    return probeMaxFragmentLength(text, port, len);
  }

 private:
  static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  void clearAuthentication() {
    options_.insecure = false;
    options_.useFingerprint = false;
    options_.trustAnchorsPem = nullptr;
  }

  host::TlsOptions options_;
};

}  // namespace BearSSL

using namespace BearSSL;  // as the core's WiFiClientSecure.h does

// The core's SNTP set-up (cores/esp8266/time.cpp); on the host time() is the system's already.
inline void configTime(int timezoneSeconds, int daylightOffsetSeconds, const char* server1, const char* server2 = nullptr,
                       const char* server3 = nullptr) {
  (void)timezoneSeconds;
  (void)daylightOffsetSeconds;
  (void)server1;
  (void)server2;
  (void)server3;
}

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
