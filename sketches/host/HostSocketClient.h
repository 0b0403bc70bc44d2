// Host shim: a TCP connection over POSIX sockets with the Client interface, the base of both
// boards' WiFiClient shims.
//
// Faults injected by the harness (HostControl.h): a drop resets the connection (data buffered on
// either side is lost, as when a board leaves Wi-Fi range), connects fail while Wi-Fi is out of
// range or connects are refused, and connections can be retargeted to another gateway port.
#pragma once
#include "Client.h"
#include "HostTls.h"

class HostSocketClient : public Client {
 public:
  HostSocketClient() = default;
  HostSocketClient(const HostSocketClient&) = delete;
  HostSocketClient& operator=(const HostSocketClient&) = delete;
  ~HostSocketClient() override;

  int connect(IPAddress ip, uint16_t port) override;
  int connect(const char* host, uint16_t port) override;
  size_t write(uint8_t c) override { return write(&c, 1); }
  size_t write(const uint8_t* buf, size_t size) override;
  using Print::write;
  int available() override;
  int read() override;
  int read(uint8_t* buf, size_t size) override;
  int peek() override;
  void flush() override {}
  void stop() override;
  uint8_t connected() override;
  operator bool() override { return connected() != 0; }

 protected:
  // Applies to the open connection only (nothing when closed).
  void setNoDelayOption(bool on);
  // Applied to every new connection. true: each write goes out at once (TCP_NODELAY);
  // false: Nagle's algorithm.
  virtual bool noDelayForNewConnections() const { return false; }
  // TLS over the connection (the BearSSL stand-in): options for the next connect(), nullptr for
  // plain TCP. The handshake is part of connect(), as in the ESP8266 core.
  void useTls(const host::TlsOptions* options) { tlsOptions_ = options; }
  const host::TlsError& lastTlsError() const { return tlsError_; }
  bool tlsFragmentNegotiated() const { return tls_ != nullptr && host::tlsFragmentNegotiated(tls_); }

 private:
  bool alive();  // applies an injected drop
  void fill();
  void abort();

  void endTls(bool graceful);

  int fd_ = -1;
  const host::TlsOptions* tlsOptions_ = nullptr;
  host::TlsSession* tls_ = nullptr;
  host::TlsError tlsError_;
  uint32_t generation_ = 0;
  bool peerClosed_ = false;
  uint8_t rx_[2048];
  size_t rxStart_ = 0;
  size_t rxEnd_ = 0;
};
