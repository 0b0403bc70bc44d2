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
  // Like the library: blocks until joined, or fails after the timeout (60 s unless setTimeout())
  // without the network; loop() does not run meanwhile, the harness keeps serving its commands
  // and the watchdog. In range, a join takes --join-ms. The time passes as all board time does
  // (tests that need a long outage without waiting use `!host advance`, which also runs through
  // a join in progress).
  uint8_t begin(const char* ssid, const char* password) {
    (void)ssid;
    (void)password;
    if (!pinsSet_) return WL_NO_SHIELD;
    uint32_t start = static_cast<uint32_t>(millis());
    uint32_t joinMs = host::joinMs();
    for (;;) {
      uint32_t spent = static_cast<uint32_t>(millis()) - start;
      if (host::wifiInRange() && spent >= joinMs) break;
      if (spent >= timeoutMs_) break;
      if (!host::advanceWhileBlocked()) host::clockSleepMs(5);
      host::serviceWhileBlocked();
    }
    joined_ = host::wifiInRange();
    return joined_ ? WL_CONNECTED : WL_CONNECT_FAILED;
  }
  void setTimeout(unsigned long ms) { timeoutMs_ = static_cast<uint32_t>(ms); }
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
  uint32_t timeoutMs_ = 60000;  // WiFi101's default
  bool pinsSet_ = false;
  bool joined_ = false;
};

inline WiFiClass WiFi;

class WiFiClient : public HostSocketClient {
 protected:
  // The ATWINC1500 sends each write at once; there is no setNoDelay() in WiFi101.
  bool noDelayForNewConnections() const override { return true; }
};

// WiFi101's WiFiSSLClient: TLS run by the ATWINC1500 itself, emulated over OpenSSL (HostTls.h)
// as the chip does it: TLS 1.2 at most, only the RSA key exchange suites WiFi101 enables
// (WiFi.cpp: no ECDHE/ECDSA without an ATECC508/608), the chain checked against the chip's root
// store (--winc-roots: what the firmware updater uploaded), the host name sent as SNI but not
// checked against the certificate (WiFi101 leaves SO_SSL_ENABLE_SNI_VALIDATION off).
class WiFiSSLClient : public WiFiClient {
 public:
  WiFiSSLClient() {
    options_.ciphers = "AES128-GCM-SHA256:AES128-SHA256:AES128-SHA:AES256-SHA256:AES256-SHA";
    options_.checkName = false;
    useTls(&options_);
  }
  int connect(IPAddress ip, uint16_t port) override {
    useRoots();
    return WiFiClient::connect(ip, port);
  }
  int connect(const char* host, uint16_t port) override {
    useRoots();
    return WiFiClient::connect(host, port);
  }

 private:
  // Read at connect time: a global client is constructed before the harness has parsed its options.
  void useRoots() {
    const char* roots = host::wincRootsPem();
    // An empty store trusts nothing: a PEM without a certificate fails every handshake.
    options_.trustAnchorsPem = roots != nullptr ? roots : "(no root certificates uploaded)";
  }

  host::TlsOptions options_;
};
