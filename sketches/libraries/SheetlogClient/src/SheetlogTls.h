// TLS to the gateway on the ESP8266: to tcp.tls (port 8490) from esp8266_logger (GATEWAY_TLS 1), or
// to a broker over TLS (the embedded broker's mqtt.embeddedTls, 8883) from esp8266_mqtt_logger
// (MQTT_TLS 1). BearSSL::WiFiClientSecure set up from sheetlog_config.h. Header only: only those
// sketches include it, other boards never compile it. See docs/SKETCHES.md.
//
//   TLS_FINGERPRINT "AB:CD:..."  the SHA-1 fingerprint of the server's certificate (`sheetlog tls
//                                fingerprint --sha1`): BearSSL's setFingerprint() takes SHA-1
//                                only. Nothing else is checked: no dates, no name, no clock.
//   TLS_CA "-----BEGIN ..."      a trust anchor (setTrustAnchors): the CA that signed the server's
//                                certificate, or that certificate itself. Dates are checked, so
//                                the board needs the time first (SNTP: configTime); a DNS name as
//                                host is checked against the certificate, an IP address is not.
//   TLS_BUFFER 512               receive and send buffer (bytes of record payload): 512, 1024,
//                                2048 or 4096.
//
// Before the first connection of a boot the client asks the server whether it agrees to records
// of TLS_BUFFER bytes (probeMaxFragmentLength; the gateway does, being Node's OpenSSL). If it does,
// the buffers are that small (512: 837 + 597 bytes); if not, the receive buffer is BearSSL's full
// 16 KB (+325), which an ESP8266 that also holds a 200-reading ring can rarely spare.
#pragma once
#include <ESP8266WiFi.h>
#include <time.h>

namespace sheetlog {

struct TlsSettings {
  const char* fingerprintSha1;  // nullptr unless pinned by fingerprint
  const char* trustAnchorPem;   // nullptr unless checked against a trust anchor
  uint16_t bufferBytes;
};

class GatewayTlsClient : public BearSSL::WiFiClientSecure {
 public:
  explicit GatewayTlsClient(const TlsSettings& s) : settings_(s) {}

  // Applies the settings; false (and a log line) when the fingerprint is malformed, in which
  // case every connect() fails: the board never talks to an unchecked server.
  bool begin(Print* log) {
    log_ = log;
    if (settings_.fingerprintSha1 != nullptr) {
      configured_ = setFingerprint(settings_.fingerprintSha1);
      if (!configured_) say("tls: TLS_FINGERPRINT is not 20 hex bytes (AB:CD:...): not connecting");
    } else if (settings_.trustAnchorPem != nullptr) {
      configured_ = anchors_.append(settings_.trustAnchorPem);
      if (configured_) setTrustAnchors(&anchors_);
      else say("tls: TLS_CA holds no PEM certificate: not connecting");
    }
    return configured_;
  }

  using BearSSL::WiFiClientSecure::connect;
  int connect(IPAddress ip, uint16_t port) override {
    char text[16];
    snprintf(text, sizeof text, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    return connect(text, port);
  }

  int connect(const char* host, uint16_t port) override {
    if (!configured_) return 0;
    if (settings_.trustAnchorPem != nullptr) {
      time_t now = time(nullptr);
      if (now < kEarliestPlausibleTime) {
        say("tls: no time yet (SNTP) to check the certificate's dates: not connecting");
        return 0;
      }
      setX509Time(now);
    }
    if (fragments_ == Fragments::Unknown) {
      if (BearSSL::WiFiClientSecure::probeMaxFragmentLength(host, port, settings_.bufferBytes)) {
        fragments_ = Fragments::Agreed;
        say("tls: the gateway agrees to small records: small buffers");
      }
    }
    bool small = fragments_ == Fragments::Agreed;
    setBufferSizes(small ? settings_.bufferBytes : 16384, settings_.bufferBytes);
    int ok = connectLiteralOrName(host, port);
    if (ok != 1) {
      char why[96];
      int code = getLastSSLError(why, sizeof why);
      if (code != 0) {
        char text[128];
        snprintf(text, sizeof text, "tls: handshake failed (%d): %s", code, why);
        say(text);
      }
      return ok;
    }
    if (fragments_ == Fragments::Unknown) {
      // A full handshake went through without the probe's agreement: the gateway does not
      // negotiate fragment lengths, so the large receive buffer stays for this boot.
      fragments_ = Fragments::Refused;
      say("tls: the gateway does not negotiate small records: 16 KB receive buffer");
    }
    return ok;
  }

 private:
  enum class Fragments : uint8_t { Unknown, Agreed, Refused };
  static const time_t kEarliestPlausibleTime = 1704067200;  // 2024-01-01: before that, no SNTP yet

  // BearSSL checks a DNS name against the certificate but cannot match an IP address: a dotted
  // address goes through connect(IPAddress), which checks the chain without a name.
  int connectLiteralOrName(const char* host, uint16_t port) {
    IPAddress ip;
    if (ip.fromString(host)) return BearSSL::WiFiClientSecure::connect(ip, port);
    return BearSSL::WiFiClientSecure::connect(host, port);
  }

  void say(const char* text) {
    if (log_ == nullptr) return;
    log_->print(F("sheetlog: "));
    log_->println(text);
  }

  TlsSettings settings_;
  BearSSL::X509List anchors_;
  Print* log_ = nullptr;
  bool configured_ = false;
  Fragments fragments_ = Fragments::Unknown;
};

}  // namespace sheetlog

// The settings of sheetlog_config.h, checked at compile time.
#if defined(TLS_FINGERPRINT) && defined(TLS_CA)
#error "sheetlog_config.h: set TLS_FINGERPRINT or TLS_CA, not both"
#elif defined(TLS_FINGERPRINT)
#define SHEETLOG_TLS_SETTINGS (sheetlog::TlsSettings{TLS_FINGERPRINT, nullptr, TLS_BUFFER})
#elif defined(TLS_CA)
#define SHEETLOG_TLS_SETTINGS (sheetlog::TlsSettings{nullptr, TLS_CA, TLS_BUFFER})
#else
#error "sheetlog_config.h: GATEWAY_TLS 1 needs TLS_FINGERPRINT (sheetlog tls fingerprint --sha1) or TLS_CA"
#endif
#if TLS_BUFFER != 512 && TLS_BUFFER != 1024 && TLS_BUFFER != 2048 && TLS_BUFFER != 4096
#error "sheetlog_config.h: TLS_BUFFER must be 512, 1024, 2048 or 4096"
#endif
