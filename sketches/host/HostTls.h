// Host shim: the TLS client under the BearSSL::WiFiClientSecure stand-in (ESP8266WiFi.h), over
// OpenSSL on the socket HostSocketClient opened. It accepts what BearSSL on an ESP8266 accepts:
// TLS 1.2 at most (BearSSL has no TLS 1.3), the cipher suites BearSSL offers, a SHA-1 certificate
// fingerprint checked on the raw certificate with nothing else verified (BearSSL's "insecure"
// validator with a fingerprint), or a chain to a trust anchor with dates checked at the given time
// and the DNS name checked when one was given (BearSSL's x509_minimal), and a receive record limit
// when a maximum fragment length was asked for (BearSSL with setBufferSizes).
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

namespace host {

struct TlsOptions {
  bool insecure = false;
  bool useFingerprint = false;
  uint8_t fingerprintSha1[20] = {0};
  // PEM text of the trust anchors (concatenated certificates), or nullptr.
  const char* trustAnchorsPem = nullptr;
  // For date checks; 0: the system's time, as BearSSL uses time() when setX509Time was not called.
  time_t x509Time = 0;
  // 512, 1024, 2048 or 4096: asked for with the max_fragment_length extension; 0: not asked.
  uint16_t maxFragment = 0;
  // OpenSSL cipher list; nullptr: the suites BearSSL offers.
  const char* ciphers = nullptr;
  // Trust-anchor mode: check a DNS server name against the certificate (BearSSL does; WiFi101
  // leaves the ATWINC1500's name check off).
  bool checkName = true;
};

struct TlsSession;

// The outcome of the last handshake, BearSSL-style: 0 = none, else an error code and text.
struct TlsError {
  int code = 0;
  char text[160] = {0};
};

// Handshakes on the connected non-blocking socket `fd` within timeoutMs. `serverName` is checked
// against the certificate in trust-anchor mode when it is a DNS name (BearSSL matches names only,
// never IP addresses). nullptr on failure, with `error` filled in.
TlsSession* tlsHandshake(int fd, const char* serverName, const TlsOptions& options, int timeoutMs, TlsError* error);
// > 0 bytes read; 0 the peer closed (close_notify or EOF); -1 nothing yet; -2 the link failed.
ssize_t tlsRecv(TlsSession* s, uint8_t* buf, size_t size);
// Bytes written (all of them unless the link failed or stayed blocked for timeoutMs).
size_t tlsSend(TlsSession* s, const uint8_t* buf, size_t size, int timeoutMs);
// True when the server agreed to the maximum fragment length asked for.
bool tlsFragmentNegotiated(const TlsSession* s);
// close_notify (when `graceful`) and free; the socket stays the caller's.
void tlsEnd(TlsSession* s, bool graceful);

}  // namespace host
