// sheetlog client over MQTT with the PubSubClient library (QoS 0), for brokers the gateway reads.
// Header-only on purpose: only a sketch that includes it needs PubSubClient installed.
//
// Topics (docs/PROTOCOL.md section 9; docs/SKETCHES.md "MQTT"), <id> = the device id:
//   sheetlog/<id>/hello    board -> gateway  the HELLO line + " low=<l>"
//   sheetlog/<id>/r        board -> gateway  "boot=<b> low=<l> " + one R line per message
//   sheetlog/<id>/t        board -> gateway  a T request
//   sheetlog/<id>/ack      gateway -> board  HELLO OK, ACK, NAK, BUSY, ERR lines; those about
//                                            readings name the boot (" boot=<b>")
//   sheetlog/<id>/t/reply  gateway -> board  the T reply
//   sheetlog/<id>/status   retained "online"; the broker publishes the last will "lost"
// Payloads are the protocol's lines without "\n". The MQTT client id and user name are the
// device id, the password is its token.
//
// There is no connection at the gateway to carry the boot, so every reading names it (boot=),
// and replies naming another boot are ignored (Session). The gateway's ACKs never skip a gap in
// the seqs, because QoS 0 can lose a message: low=<l> (the lowest seq still buffered) tells it
// which seqs the board gave up (NAKed, or dropped when the buffer overflowed). A lost message
// stops the ACKs at its gap; the board does not trust silence: when the gateway has answered
// nothing for replyTimeoutMs it sends HELLO again, and the HELLO OK's acked-seq decides what to
// resend, as after a TCP reconnect.
#pragma once
#include <Arduino.h>
#include <PubSubClient.h>
#include <stdio.h>
#include <string.h>

#include "Backoff.h"
#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"
#include "MillisTime.h"
#include "ReadingRing.h"
#include "Session.h"

namespace sheetlog {

struct MqttSettings {
  MqttSettings(const char* brokerHost, uint16_t brokerPort) : host(brokerHost), port(brokerPort) {}

  const char* host;
  uint16_t port;
  uint32_t backoffBaseMs = 500;
  uint32_t backoffMaxMs = 30000;
  uint8_t helloRetries = 2;  // HELLOs without an answer before the MQTT connection is dropped
};

class SheetlogMqtt : private LineOut, private LogSink {
 public:
  enum class State : uint8_t { Disconnected, HelloSent, Streaming, Paused };

  SheetlogMqtt(PubSubClient& mqtt, ReadingRing& ring, const SessionSettings& session, const MqttSettings& link)
      : mqtt_(mqtt), session_(ring, withoutPing(session)), link_(link), backoff_(link.backoffBaseMs, link.backoffMaxMs) {}

  void begin(uint32_t bootId, Print* log) {
    log_ = log;
    session_.setLog(this);
    session_.begin(bootId);
    setUp();
    char text[96];
    snprintf(text, sizeof text, "boot=%lu device=%s buffer=%u readings (%lu bytes), mqtt",
             static_cast<unsigned long>(bootId), session_.settings().deviceId,
             static_cast<unsigned>(session_.capacity()),
             static_cast<unsigned long>(session_.capacity()) * sizeof(Reading));
    logLine(text);
  }

  // After a reset: continues the previous boot from `retention` when it survived (Session::begin).
  Restored begin(uint32_t freshBootId, Print* log, ResetCause cause, Retention* retention, uint32_t gapMs) {
    log_ = log;
    session_.setLog(this);
    Restored what = session_.begin(freshBootId, cause, retention, gapMs);
    setUp();
    char text[112];
    snprintf(text, sizeof text, "boot=%lu device=%s buffer=%u readings (%lu bytes), mqtt reset=%s",
             static_cast<unsigned long>(session_.bootId()), session_.settings().deviceId,
             static_cast<unsigned>(session_.capacity()),
             static_cast<unsigned long>(session_.capacity()) * sizeof(Reading), resetCauseName(cause));
    logLine(text);
    return what;
  }

  // PubSubClient's packet buffer (256 bytes by default) must hold the largest packet this
  // device sends: CONNECT (id as client id and user, the token as password, the status topic and
  // will) or a PUBLISH of the longest line with its topic. For a 64-character id and a
  // 128-character token that is 470 bytes.
  static uint16_t packetBufferFor(size_t idLength, size_t tokenLength) {
    size_t statusTopic = 9 + idLength + 7;  // sheetlog/<id>/status
    size_t connect = 5 + 10 + (2 + idLength) + (2 + statusTopic) + (2 + 4) + (2 + idLength) + (2 + tokenLength);
    size_t publish = 5 + (2 + 9 + idLength + 6) + kMaxLineLength + 32;  // sheetlog/<id>/hello + payload
    return static_cast<uint16_t>(connect > publish ? connect : publish);
  }

  void noteMissed(uint32_t n) { session_.noteMissed(n); }
  void alive(uint32_t nowMs) { session_.alive(nowMs); }
  void setBlockingCalls(BlockingCalls*, uint32_t) {}  // ESP8266 only: its blocking calls yield

  uint32_t add(const char* fields) { return session_.add(fields, static_cast<uint32_t>(millis())); }

  // Call from loop(); `networkUp` is the board's Wi-Fi state.
  void loop(bool networkUp) {
    uint32_t now = static_cast<uint32_t>(millis());
    if (!networkUp) {
      if (state_ != State::Disconnected) drop("network down", now, backoff_.next(random32()), true);
      return;
    }
    if (state_ == State::Disconnected) {
      if (retry_.over(now)) connect(now);
      return;
    }
    if (!mqtt_.loop()) {  // also delivers incoming messages to onMessage()
      drop("mqtt connection lost", now, backoff_.next(random32()), false);
      return;
    }
    service(now);
  }

  // Call from the PubSubClient callback with what it got.
  void onMessage(const char* topic, const uint8_t* payload, unsigned int length) {
    (void)topic;  // only our ack and t/reply topics are subscribed; the line says what it is
    char line[128];
    unsigned int n = length < sizeof line - 1 ? length : sizeof line - 1;
    memcpy(line, payload, n);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) --n;
    line[n] = '\0';
    uint32_t now = static_cast<uint32_t>(millis());
    handle(session_.onLine(line, now), now);
  }

  State state() const { return state_; }
  const Session& session() const { return session_; }

  void printStatus(Print& out) const {
    char text[224];
    session_.formatStatus(text, sizeof text, stateName());
    out.println(text);
  }

 private:
  void setUp() {
    mqtt_.setServer(link_.host, link_.port);
    const SessionSettings& s = session_.settings();
    uint16_t need = packetBufferFor(strlen(s.deviceId), strlen(s.token));
    if (mqtt_.getBufferSize() < need && !mqtt_.setBufferSize(need)) logLine("mqtt: no memory for the packet buffer");
  }

  static SessionSettings withoutPing(SessionSettings s) {
    s.pingAfterIdleMs = 0xFFFFFFFFu;  // MQTT keepalive watches the connection; there is no PING topic
    return s;
  }

  const char* stateName() const {
    switch (state_) {
      case State::Disconnected: return "disconnected";
      case State::HelloSent: return "hello-sent";
      case State::Streaming: return "streaming";
      case State::Paused: return "paused";
    }
    return "?";
  }

  void topic(char* out, size_t cap, const char* leaf) const {
    snprintf(out, cap, "sheetlog/%s/%s", session_.settings().deviceId, leaf);
  }

  void connect(uint32_t now) {
    char status[96], text[112];
    topic(status, sizeof status, "status");
    snprintf(text, sizeof text, "mqtt connecting to %s:%u", link_.host, static_cast<unsigned>(link_.port));
    logLine(text);
    const SessionSettings& s = session_.settings();
    if (!mqtt_.connect(s.deviceId, s.deviceId, s.token, status, 0, true, "lost")) {  // blocks
      snprintf(text, sizeof text, "mqtt connect failed, state %d", mqtt_.state());
      drop(text, static_cast<uint32_t>(millis()), backoff_.next(random32()), false);
      return;
    }
    char ack[96], reply[96];
    topic(ack, sizeof ack, "ack");
    topic(reply, sizeof reply, "t/reply");
    if (!mqtt_.publish(status, "online", true) || !mqtt_.subscribe(ack) || !mqtt_.subscribe(reply)) {
      drop("mqtt setup failed", now, backoff_.next(random32()), true);
      return;
    }
    unanswered_ = 0;
    hello(static_cast<uint32_t>(millis()));
  }

  void hello(uint32_t now) {
    if (!session_.sendHello(*this, now)) {
      drop("hello not published", now, backoff_.next(random32()), true);
      return;
    }
    state_ = State::HelloSent;
  }

  void service(uint32_t now) {
    if (state_ == State::Paused) {
      if (pause_.over(now)) hello(now);
      return;
    }
    if (state_ == State::Streaming && !session_.pump(*this, now)) {
      drop("publish failed", now, backoff_.next(random32()), true);
      return;
    }
    if (!session_.stalled(now)) return;
    if (++unanswered_ > link_.helloRetries) {
      drop("no answer from gateway", now, backoff_.next(random32()), true);
      return;
    }
    logLine("no answer from gateway: hello again");
    hello(now);  // a lost message: the HELLO OK's acked-seq says what to resend
  }

  void handle(const LineResult& r, uint32_t now) {
    switch (r.kind) {
      case ReplyKind::HelloOk:
        if (state_ == State::HelloSent && session_.authenticated()) {
          state_ = State::Streaming;
          backoff_.reset();
        }
        unanswered_ = 0;
        break;
      case ReplyKind::Busy: {
        uint32_t wait = r.retryAfterMs + random32() % (r.retryAfterMs / 4 + link_.backoffBaseMs);
        session_.linkDown();  // keep every reading; resend after the pause from the next HELLO OK
        state_ = State::Paused;
        pause_.start(now, wait);
        break;
      }
      case ReplyKind::Err:
        if (r.closeLink) drop("error from gateway", now, r.permanent ? link_.backoffMaxMs : backoff_.next(random32()), true);
        break;
      default:
        if (r.kind != ReplyKind::Unknown) unanswered_ = 0;
        break;
    }
  }

  void drop(const char* reason, uint32_t now, uint32_t retryInMs, bool disconnect) {
    if (disconnect) mqtt_.disconnect();
    session_.linkDown();
    state_ = State::Disconnected;
    retry_.start(now, retryInMs);
    char text[128];
    snprintf(text, sizeof text, "link down (%s), retry in %lu ms, pending=%u", reason,
             static_cast<unsigned long>(retryInMs), static_cast<unsigned>(session_.pending()));
    logLine(text);
  }

  bool sendLine(LineKind kind, const char* line, size_t length) override {
    const char* leaf = kind == LineKind::Hello ? "hello" : kind == LineKind::Reading ? "r" : "t";
    if (kind == LineKind::Ping) return true;
    char t[96];
    topic(t, sizeof t, leaf);
    int body = static_cast<int>(length - 1);  // without "\n"
    unsigned long low = static_cast<unsigned long>(session_.lowestHeld());
    int n = body;
    if (kind == LineKind::Reading) {
      n = snprintf(payload_, sizeof payload_, "boot=%lu low=%lu %.*s", static_cast<unsigned long>(session_.bootId()), low, body, line);
    } else if (kind == LineKind::Hello) {
      n = snprintf(payload_, sizeof payload_, "%.*s low=%lu", body, line, low);
    } else {
      return mqtt_.publish(t, reinterpret_cast<const uint8_t*>(line), static_cast<unsigned int>(body));
    }
    if (n < 0 || static_cast<size_t>(n) >= sizeof payload_) return false;
    return mqtt_.publish(t, reinterpret_cast<const uint8_t*>(payload_), static_cast<unsigned int>(n));
  }

  void logLine(const char* text) override {
    if (log_ == nullptr) return;
    log_->print("sheetlog: ");
    log_->println(text);
  }

  static uint32_t random32() {
    return static_cast<uint32_t>(random(0x10000L)) << 16 | static_cast<uint32_t>(random(0x10000L));
  }

  PubSubClient& mqtt_;
  Session session_;
  MqttSettings link_;
  Backoff backoff_;
  Print* log_ = nullptr;
  State state_ = State::Disconnected;
  Wait retry_;
  Wait pause_;
  uint8_t unanswered_ = 0;
  char payload_[kMaxLineLength + 32];  // a line with its boot= / low= keys
};

}  // namespace sheetlog
