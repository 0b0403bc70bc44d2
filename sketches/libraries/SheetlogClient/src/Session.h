// The protocol conversation of one board with the gateway, independent of the transport.
//
// A transport (SheetlogClient over TCP, SheetlogMqtt over PubSubClient) opens a link, calls
// sendHello(), feeds every received line to onLine(), calls pump() often to let the session send
// readings, time requests and pings, and calls linkDown() when the link is gone. The session owns
// the sequence numbers and decides what to (re)send; the transport owns sockets, timers and backoff.
//
// What is sent when (docs/PROTOCOL.md):
//   link up        HELLO <id> <token> boot=<b> up=<millis> [fw=] [board=] reset=<cause> missed=<n>
//   HELLO OK A     drop buffered readings with seq <= A, resend the rest oldest first
//   streaming      at most `window` readings in flight; ACK s drops every reading with seq <= s;
//                  NAK s drops reading s; T exchanges in rounds; PING after a silence
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "Lines.h"
#include "MillisTime.h"
#include "ReadingRing.h"
#include "Replies.h"
#include "ResetCause.h"
#include "Retained.h"
#include "TimeSync.h"

namespace sheetlog {

enum class LineKind : uint8_t { Hello, Reading, TimeRequest, Ping };

// Where the session writes its lines (a socket, or an MQTT topic per kind).
class LineOut {
 public:
  // `line` ends with "\n" (length includes it). Returns false when the link failed.
  virtual bool sendLine(LineKind kind, const char* line, size_t length) = 0;

 protected:
  ~LineOut() {}
};

// Where the session reports what happened, one short line at a time (usually Serial).
class LogSink {
 public:
  virtual void logLine(const char* text) = 0;

 protected:
  ~LogSink() {}
};

struct SessionSettings {
  SessionSettings(const char* deviceId, const char* token);

  const char* deviceId;
  const char* token;
  const char* firmware = nullptr;  // HELLO fw=, optional
  const char* board = nullptr;     // HELLO board=, optional
  uint16_t window = 16;            // readings sent and not yet acknowledged, at most
  uint8_t syncSamples = 5;         // T exchanges per time-sync round
  uint32_t resyncIntervalMs = 3600000UL;
  uint32_t timeReplyTimeoutMs = 3000;
  uint32_t pingAfterIdleMs = 60000;  // the gateway closes idle links after 120 s
  uint32_t replyTimeoutMs = 15000;   // waiting this long for any reply means the link is dead
};

struct SessionStats {
  uint32_t acked = 0;     // readings dropped because the gateway made them durable
  uint32_t rejected = 0;  // NAKed
  uint32_t overflowed = 0;  // dropped oldest-first because the buffer was full
  uint32_t resent = 0;    // readings sent again on a later link
  uint32_t hellos = 0;    // HELLO OK received
};

// What the transport should do after a line (most lines need nothing).
struct LineResult {
  ReplyKind kind;
  bool closeLink;          // the gateway closes (ERR with a closing code): close and back off
  bool permanent;          // a configuration problem (AUTH_FAILED ...): retry at the slowest rate
  uint32_t retryAfterMs;   // BUSY: wait at least this long
};

class Session {
 public:
  Session(ReadingRing& ring, const SessionSettings& settings);

  void begin(uint32_t bootId);
  // Starts after a reset of the given cause. With a Retention whose memory survived that reset,
  // the previous boot continues (its id, its seqs, its buffered readings, their times moved to
  // this run's millis(): `gapMs` is how long the reset took after loop() last made progress, e.g.
  // the watchdog period); otherwise a new boot `freshBootId` starts. Returns what was restored.
  Restored begin(uint32_t freshBootId, ResetCause cause, Retention* retention, uint32_t gapMs);
  void setLog(LogSink* log) { log_ = log; }

  // Samples the sketch could not take on time (Periodic::takeMissed()): counted, sent as missed=.
  void noteMissed(uint32_t n);
  // Called once per loop() pass that made progress (with the watchdog feed): keeps the clock
  // estimate's reference recent (outages of any length) and the retained header's alive time.
  void alive(uint32_t nowMs);

  // Buffers a reading taken now. Returns its seq, or 0 when `fields` does not fit a slot.
  uint32_t add(const char* fields, uint32_t nowMs);

  // --- driven by the transport ---
  bool sendHello(LineOut& out, uint32_t nowMs);
  LineResult onLine(const char* line, uint32_t nowMs);
  // Sends what is due. Returns false when a write failed (the link is broken).
  bool pump(LineOut& out, uint32_t nowMs);
  void linkDown();
  // Something was expected from the gateway and nothing arrived for replyTimeoutMs.
  bool stalled(uint32_t nowMs) const;

  // --- state ---
  bool authenticated() const { return authenticated_; }
  uint32_t bootId() const { return bootId_; }
  uint32_t lastSeq() const { return nextSeq_ - 1; }
  uint16_t pending() const { return ring_.size(); }
  // The lowest seq still buffered (the next seq when none): everything below it was acknowledged,
  // rejected or dropped on overflow. MQTT sends it as low= (SheetlogMqtt.h).
  uint32_t lowestHeld() const { return ring_.empty() ? nextSeq_ : ring_.at(0).seq; }
  uint16_t capacity() const { return ring_.capacity(); }
  uint16_t inFlight() const { return sent_; }
  const TimeSync& clock() const { return clock_; }
  const SessionStats& stats() const { return stats_; }
  const SessionSettings& settings() const { return settings_; }
  ResetCause resetCause() const { return resetCause_; }
  uint32_t missed() const { return missed_; }
  uint16_t resets() const { return resets_; }
  // One line for a `status` console command: the transport's state name, then the counters.
  void formatStatus(char* out, size_t cap, const char* linkState) const;

 private:
  bool sendTimeRequest(LineOut& out, uint32_t nowMs);
  bool sendReadings(LineOut& out, uint32_t nowMs);
  bool sendPingIfIdle(LineOut& out, uint32_t nowMs);
  bool send(LineOut& out, LineKind kind, size_t length, uint32_t nowMs);
  bool expecting() const;
  void onHelloOk(const Reply& r, uint32_t nowMs);
  void onAck(uint32_t seq);
  void onNak(const Reply& r);
  void onTime(const Reply& r, uint32_t nowMs);
  void dropSettledFront();
  void logClock();
  bool syncDue(uint32_t nowMs) const;
  void startSyncRound(uint32_t nowMs);
  void logf(const char* fmt, ...);
  void persist();
  void seal(uint16_t i);

  ReadingRing& ring_;
  SessionSettings settings_;
  TimeSync clock_;
  LogSink* log_ = nullptr;
  SessionStats stats_;
  uint32_t bootId_ = 0;
  uint32_t nextSeq_ = 1;
  Retention* retention_ = nullptr;
  ResetCause resetCause_ = ResetCause::Unknown;
  bool reportResetCause_ = false;
  uint32_t missed_ = 0;
  uint16_t resets_ = 0;
  uint32_t aliveMs_ = 0;
  uint16_t sent_ = 0;  // ring entries [0, sent_) were written on the current link
  bool authenticated_ = false;
  bool helloPending_ = false;
  bool pingPending_ = false;
  bool reportPending_ = false;  // send our clock estimate (off=) once on this link
  uint32_t helloSentMs_ = 0;
  uint32_t lastSendMs_ = 0;
  uint32_t expectSinceMs_ = 0;
  Wait resync_;  // since the last time-sync round started
  bool synced_ = false;  // a round was ever started
  bool clockLogged_ = false;
  int64_t loggedOffset_ = 0;
  char line_[kMaxLineLength];
};

}  // namespace sheetlog
