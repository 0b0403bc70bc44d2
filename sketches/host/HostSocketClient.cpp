#include "HostSocketClient.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "HostClock.h"
#include "HostControl.h"

namespace {

const int kConnectTimeoutMs = 3000;
const int kWriteTimeoutMs = 5000;  // ESP8266 and WiFi101 writes also give up after a few seconds
const int kHandshakeTimeoutMs = 15000;  // BearSSL's handshake is bounded by WiFiClient's timeout

bool waitFor(int fd, short events, int timeoutMs) {
  pollfd p = {fd, events, 0};
  return poll(&p, 1, timeoutMs) == 1 && (p.revents & (events | POLLERR | POLLHUP)) != 0;
}

int openConnection(const char* host, uint16_t port) {
  char service[8];
  snprintf(service, sizeof service, "%u", port);
  addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host, service, &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    int err = 0;
    socklen_t len = sizeof err;
    if (rc != 0 && (errno != EINPROGRESS || !waitFor(fd, POLLOUT, kConnectTimeoutMs) ||
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

}  // namespace

HostSocketClient::~HostSocketClient() { stop(); }

int HostSocketClient::connect(IPAddress ip, uint16_t port) {
  char host[16];
  ip.format(host, sizeof host);
  return HostSocketClient::connect(host, port);  // not virtual: a subclass's connect(name) may call this one
}

int HostSocketClient::connect(const char* host, uint16_t port) {
  stop();
  const char* requested = host;
  if (!host::wifiInRange() || host::connectsRefused()) return 0;
  if (host::gatewayHost() != nullptr) {
    printf("host: connect %s:%u goes to %s:%u\n", host, port, host::gatewayHost(), host::gatewayPort());
    fflush(stdout);
    host = host::gatewayHost();
    port = host::gatewayPort();
  }
  fd_ = openConnection(host, port);
  if (fd_ < 0) return 0;
  if (tlsOptions_ != nullptr) {
    // The name the sketch asked for is what BearSSL checks, wherever the harness sends the link.
    tls_ = host::tlsHandshake(fd_, requested, *tlsOptions_, kHandshakeTimeoutMs, &tlsError_);
    if (tls_ == nullptr) {
      printf("host: tls refused: %s\n", tlsError_.text);
      fflush(stdout);
      close(fd_);
      fd_ = -1;
      return 0;
    }
    printf("host: tls up (fragment %s)\n", host::tlsFragmentNegotiated(tls_) ? "limit negotiated" : "limit not negotiated");
    fflush(stdout);
  }
  generation_ = host::linkGeneration();
  peerClosed_ = false;
  rxStart_ = rxEnd_ = 0;
  setNoDelayOption(noDelayForNewConnections());
  return 1;
}

void HostSocketClient::setNoDelayOption(bool on) {
  if (fd_ < 0) return;
  int v = on ? 1 : 0;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
}

bool HostSocketClient::alive() {
  if (fd_ >= 0 && generation_ != host::linkGeneration()) abort();
  return fd_ >= 0;
}

// Reset, not close: the peer sees the connection die and nothing buffered is delivered.
void HostSocketClient::abort() {
  endTls(false);
  linger l = {1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd_);
  fd_ = -1;
  peerClosed_ = true;
  rxStart_ = rxEnd_ = 0;
}

void HostSocketClient::fill() {
  if (!alive() || peerClosed_) return;
  if (rxStart_ == rxEnd_) rxStart_ = rxEnd_ = 0;
  if (rxEnd_ == sizeof rx_) return;
  ssize_t n = 0;
  if (tls_ != nullptr) {
    n = host::tlsRecv(tls_, rx_ + rxEnd_, sizeof rx_ - rxEnd_);
    if (n == -1) return;  // no whole record yet
    if (n == -2) errno = EIO;
  } else {
    n = recv(fd_, rx_ + rxEnd_, sizeof rx_ - rxEnd_, MSG_DONTWAIT);
  }
  if (n > 0) {
    rxEnd_ += static_cast<size_t>(n);
  } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    peerClosed_ = true;
  }
}

size_t HostSocketClient::write(const uint8_t* buf, size_t size) {
  if (!alive() || peerClosed_) return 0;
  if (size > 0 && buf[size - 1] == '\n') {
    if (host::loseThisLine()) {
      abort();  // the line sat in the board's send buffer when Wi-Fi went: the write "succeeded"
      return size;
    }
    if (host::hangThisLine(host::countLine())) {
      // WiFi101 retries SOCK_ERR_BUFFER_FULL without a timeout: a locked-up ATWINC1500 keeps the
      // call here for ever. Only the watchdog (serviced meanwhile) ends it, with a reset.
      for (;;) {
        host::clockSleepMs(5);
        host::serviceWhileBlocked();
      }
    }
  }
  if (tls_ != nullptr) {
    size_t done = host::tlsSend(tls_, buf, size, kWriteTimeoutMs);
    if (done < size) peerClosed_ = true;
    return done;
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = send(fd_, buf + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!waitFor(fd_, POLLOUT, kWriteTimeoutMs)) break;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      peerClosed_ = true;
      break;
    }
  }
  return done;
}

int HostSocketClient::available() {
  fill();
  return static_cast<int>(rxEnd_ - rxStart_);
}

int HostSocketClient::read() {
  uint8_t c;
  return read(&c, 1) == 1 ? c : -1;
}

int HostSocketClient::read(uint8_t* buf, size_t size) {
  if (rxStart_ == rxEnd_) fill();
  size_t n = rxEnd_ - rxStart_;
  if (n == 0) return -1;
  if (n > size) n = size;
  memcpy(buf, rx_ + rxStart_, n);
  rxStart_ += n;
  return static_cast<int>(n);
}

int HostSocketClient::peek() {
  if (rxStart_ == rxEnd_) fill();
  return rxStart_ < rxEnd_ ? rx_[rxStart_] : -1;
}

void HostSocketClient::endTls(bool graceful) {
  host::tlsEnd(tls_, graceful);
  tls_ = nullptr;
}

void HostSocketClient::stop() {
  endTls(fd_ >= 0 && !peerClosed_);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  peerClosed_ = false;
  rxStart_ = rxEnd_ = 0;
}

uint8_t HostSocketClient::connected() {
  fill();
  if (fd_ < 0) return 0;
  return rxStart_ < rxEnd_ || !peerClosed_ ? 1 : 0;
}
