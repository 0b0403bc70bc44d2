#include "SheetlogClient.h"

#include <stdio.h>

namespace sheetlog {

const char* linkStateName(LinkState s) {
  switch (s) {
    case LinkState::Disconnected: return "disconnected";
    case LinkState::Connecting: return "connecting";
    case LinkState::HelloSent: return "hello-sent";
    case LinkState::Streaming: return "streaming";
    case LinkState::Draining: return "draining";
  }
  return "?";
}

LinkSettings::LinkSettings(const char* h, uint16_t p) : host(h), port(p) {}

SheetlogClient::SheetlogClient(Client& net, ReadingRing& ring, const SessionSettings& session,
                               const LinkSettings& link)
    : net_(net), session_(ring, session), link_(link), backoff_(link.backoffBaseMs, link.backoffMaxMs) {}

void SheetlogClient::begin(uint32_t bootId, Print* log) {
  log_ = log;
  session_.setLog(this);
  session_.begin(bootId);
  char text[96];
  snprintf(text, sizeof text, "boot=%lu device=%s buffer=%u readings (%lu bytes)",
           static_cast<unsigned long>(bootId), session_.settings().deviceId,
           static_cast<unsigned>(session_.capacity()),
           static_cast<unsigned long>(session_.capacity()) * sizeof(Reading));
  logLine(text);
}

Restored SheetlogClient::begin(uint32_t freshBootId, Print* log, ResetCause cause, Retention* retention, uint32_t gapMs) {
  log_ = log;
  session_.setLog(this);
  Restored what = session_.begin(freshBootId, cause, retention, gapMs);
  char text[112];
  snprintf(text, sizeof text, "boot=%lu device=%s buffer=%u readings (%lu bytes) reset=%s",
           static_cast<unsigned long>(session_.bootId()), session_.settings().deviceId,
           static_cast<unsigned>(session_.capacity()),
           static_cast<unsigned long>(session_.capacity()) * sizeof(Reading), resetCauseName(cause));
  logLine(text);
  return what;
}

uint32_t SheetlogClient::add(const char* fields) {
  return session_.add(fields, static_cast<uint32_t>(millis()));
}

void SheetlogClient::loop(bool networkUp) {
  uint32_t now = static_cast<uint32_t>(millis());
  if (!networkUp) {
    if (state_ != LinkState::Disconnected) closeLink("network down", now, backoffDelay());
    return;
  }
  if (state_ == LinkState::Disconnected) {
    if (retry_.over(now)) connect(now);
    return;
  }
  service(now);
}

void SheetlogClient::connect(uint32_t now) {
  state_ = LinkState::Connecting;
  char text[96];
  snprintf(text, sizeof text, "connecting to %s:%u", link_.host, static_cast<unsigned>(link_.port));
  logLine(text);
  int ok;
  {
    BlockingScope scope(blocking_, connectMaxMs_);
    ok = net_.connect(link_.host, link_.port);  // blocks inside the core until connected or failed
  }
  now = static_cast<uint32_t>(millis());
  if (!ok) {
    closeLink("connect failed", now, backoffDelay());
    return;
  }
  rx_.reset();
  if (!session_.sendHello(*this, now)) {
    closeLink("hello not written", now, backoffDelay());
    return;
  }
  state_ = LinkState::HelloSent;
}

void SheetlogClient::service(uint32_t now) {
  if (!readLines(now)) return;  // a line closed the link
  if (!net_.connected() && net_.available() <= 0) {
    closeLink(state_ == LinkState::Draining ? "closed after drain" : "closed by peer", now,
              state_ == LinkState::Draining ? drainRetryMs_ : backoffDelay());
    return;
  }
  if (state_ == LinkState::Draining) {
    if (drain_.over(now)) closeLink("drain over", now, drainRetryMs_);
    return;
  }
  if (state_ == LinkState::Streaming && !session_.pump(*this, now)) {
    closeLink("write failed", now, backoffDelay());
    return;
  }
  if (session_.stalled(now)) closeLink("no reply from gateway", now, backoffDelay());
}

// Returns false when a line made us close the link.
bool SheetlogClient::readLines(uint32_t now) {
  uint8_t chunk[64];
  for (uint8_t rounds = 0; rounds < 8 && net_.available() > 0; ++rounds) {  // bounded: loop() stays short
    int n = net_.read(chunk, sizeof chunk);
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      if (!rx_.feed(static_cast<char>(chunk[i]))) continue;
      if (!handle(session_.onLine(rx_.line(), now), now)) return false;
    }
  }
  return true;
}

bool SheetlogClient::handle(const LineResult& r, uint32_t now) {
  switch (r.kind) {
    case ReplyKind::HelloOk:
      if (state_ == LinkState::HelloSent && session_.authenticated()) {
        state_ = LinkState::Streaming;
        backoff_.reset();
      }
      return true;
    case ReplyKind::Busy: {
      // Keep every reading; read the ACKs for what the gateway accepted before, then go away for
      // at least retry-after plus jitter (and more if BUSY keeps coming).
      uint32_t jitter = random32() % (r.retryAfterMs / 4 + link_.backoffBaseMs);
      uint32_t wait = r.retryAfterMs + jitter;
      uint32_t grown = backoffDelay();
      startDrain(now, wait > grown ? wait : grown);
      return true;
    }
    case ReplyKind::Bye:
      startDrain(now, backoffDelay());
      return true;
    case ReplyKind::Err:
      if (!r.closeLink) return true;
      closeLink("error from gateway", now, r.permanent ? slowestDelay() : backoffDelay());
      return false;
    default:
      return true;
  }
}

void SheetlogClient::closeLink(const char* reason, uint32_t now, uint32_t retryInMs) {
  net_.stop();
  session_.linkDown();
  rx_.reset();
  state_ = LinkState::Disconnected;
  retry_.start(now, retryInMs);
  char text[96];
  snprintf(text, sizeof text, "link down (%s), retry in %lu ms, pending=%u", reason,
           static_cast<unsigned long>(retryInMs), static_cast<unsigned>(session_.pending()));
  logLine(text);
}

void SheetlogClient::startDrain(uint32_t now, uint32_t retryInMs) {
  drainRetryMs_ = retryInMs;
  state_ = LinkState::Draining;
  drain_.start(now, link_.drainMs);
}

uint32_t SheetlogClient::backoffDelay() { return backoff_.next(random32()); }

uint32_t SheetlogClient::slowestDelay() {
  uint32_t cap = link_.backoffMaxMs;
  return cap - random32() % (cap / 2 + 1);
}

uint32_t SheetlogClient::random32() {
  // Arduino's random(max) returns [0, max); two draws give 32 bits on every core.
  uint32_t hi = static_cast<uint32_t>(random(0x10000L));
  uint32_t lo = static_cast<uint32_t>(random(0x10000L));
  return (hi << 16) | lo;
}

bool SheetlogClient::sendLine(LineKind, const char* line, size_t length) {
  size_t written = net_.write(reinterpret_cast<const uint8_t*>(line), length);
  return written == length;  // a partial line would corrupt the stream: treat as a broken link
}

void SheetlogClient::logLine(const char* text) {
  if (log_ == nullptr) return;
  log_->print("sheetlog: ");
  log_->println(text);
}

void SheetlogClient::printStatus(Print& out) const {
  char text[224];
  session_.formatStatus(text, sizeof text, linkStateName(state_));
  out.println(text);
}

}  // namespace sheetlog
