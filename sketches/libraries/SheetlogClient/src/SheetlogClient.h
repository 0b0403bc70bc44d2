// sheetlog client for Arduino boards over TCP (ESP8266WiFi / WiFi101 `WiFiClient`).
//
//   static WiFiClient net;
//   static sheetlog::ReadingBuffer<200> buffer;          // 200 * 64 bytes of RAM
//   static sheetlog::SheetlogClient client(net, buffer, session, link);
//   setup(): client.begin(bootId, &Serial);
//   loop():  client.loop(WiFi.status() == WL_CONNECTED);  ... client.add("temp_c=21.5");
//
// Link states (loop() never waits, except inside the core's blocking connect()):
//
//   Disconnected --backoff elapsed, network up--> Connecting --connect() ok, HELLO written--> HelloSent
//   HelloSent --HELLO OK--> Streaming --BUSY or BYE--> Draining --closed / drain time over--> Disconnected
//   any state --write failed, peer closed, no reply in time, closing ERR, network down--> Disconnected
//
// Every way back to Disconnected schedules the next attempt with jittered exponential backoff
// (BUSY: at least its retry-after); a HELLO OK resets the backoff.
#pragma once
#include <Arduino.h>
#include <Client.h>

#include "Backoff.h"
#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"
#include "Console.h"
#include "EnergyCounter.h"
#include "FieldWriter.h"
#include "LineReader.h"
#include "MillisTime.h"
#include "Periodic.h"
#include "ReadingRing.h"
#include "Session.h"

namespace sheetlog {

enum class LinkState : uint8_t { Disconnected, Connecting, HelloSent, Streaming, Draining };

const char* linkStateName(LinkState s);

struct LinkSettings {
  LinkSettings(const char* host, uint16_t port);

  const char* host;
  uint16_t port;
  uint32_t backoffBaseMs = 500;
  uint32_t backoffMaxMs = 30000;
  uint32_t drainMs = 2000;  // after BUSY/BYE: how long to wait for the gateway's last ACKs
};

class SheetlogClient : private LineOut, private LogSink {
 public:
  SheetlogClient(Client& net, ReadingRing& ring, const SessionSettings& session, const LinkSettings& link);

  // `log` (usually &Serial) gets one line per event; nullptr for silence.
  void begin(uint32_t bootId, Print* log);
  // After a reset: continues the previous boot from `retention` when it survived (Session::begin).
  Restored begin(uint32_t freshBootId, Print* log, ResetCause cause, Retention* retention, uint32_t gapMs);
  // connect() may block longer than the watchdog period (WiFi101: 20 s, plus 20 s of DNS for a
  // host name): it is announced to `calls` (the board) with this bound.
  void setBlockingCalls(BlockingCalls* calls, uint32_t connectMaxMs) {
    blocking_ = calls;
    connectMaxMs_ = connectMaxMs;
  }
  void noteMissed(uint32_t n) { session_.noteMissed(n); }
  void alive(uint32_t nowMs) { session_.alive(nowMs); }

  // Buffers a reading taken now ("name=value ..."). Returns its seq, or 0 if it does not fit.
  uint32_t add(const char* fields);

  // Call from loop(); `networkUp` is the board's Wi-Fi state.
  void loop(bool networkUp);

  LinkState state() const { return state_; }
  const Session& session() const { return session_; }
  void printStatus(Print& out) const;

 private:
  bool sendLine(LineKind kind, const char* line, size_t length) override;
  void logLine(const char* text) override;
  void connect(uint32_t now);
  void service(uint32_t now);
  bool readLines(uint32_t now);
  bool handle(const LineResult& r, uint32_t now);
  void closeLink(const char* reason, uint32_t now, uint32_t retryInMs);
  void startDrain(uint32_t now, uint32_t retryInMs);
  uint32_t backoffDelay();
  uint32_t slowestDelay();
  uint32_t random32();

  Client& net_;
  Session session_;
  LinkSettings link_;
  Backoff backoff_;
  LineBuffer<128> rx_;
  Print* log_ = nullptr;
  LinkState state_ = LinkState::Disconnected;
  Wait retry_;  // the next connection attempt, from the moment the link went down
  Wait drain_;
  uint32_t drainRetryMs_ = 0;  // retry delay decided when draining started
  BlockingCalls* blocking_ = nullptr;
  uint32_t connectMaxMs_ = 0;
};

}  // namespace sheetlog
