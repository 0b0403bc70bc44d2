#include "Session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "Decimal.h"
#include "MillisTime.h"

namespace sheetlog {

SessionSettings::SessionSettings(const char* id, const char* tok) : deviceId(id), token(tok) {}

Session::Session(ReadingRing& ring, const SessionSettings& settings)
    : ring_(ring), settings_(settings), clock_(settings.syncSamples) {
  line_[0] = '\0';
}

void Session::begin(uint32_t bootId) {
  bootId_ = bootId;
  nextSeq_ = 1;
  ring_.clear();
  sent_ = 0;
  persist();
}

Restored Session::begin(uint32_t freshBootId, ResetCause cause, Retention* retention, uint32_t gapMs) {
  retention_ = retention;
  resetCause_ = cause;
  reportResetCause_ = true;
  RetainedSession kept = {0, 0, 0, 0, 0};
  Restored what = Restored::Nothing;
  if (retention_ != nullptr && resetKeepsRam(cause)) what = retention_->restore(ring_, &kept);
  if (what == Restored::Nothing) {
    missed_ = 0;
    resets_ = 0;
    begin(freshBootId);
    return what;
  }
  bootId_ = kept.bootId;
  nextSeq_ = kept.nextSeq;
  missed_ = kept.missed;
  resets_ = static_cast<uint16_t>(kept.resets + 1);
  sent_ = 0;
  // This run's millis() started at the reset, which came gapMs after the last progress: move the
  // buffered readings' times onto this run's clock (earlier instants wrap to "before boot").
  uint32_t shift = kept.aliveMs + gapMs;
  for (uint16_t i = 0; i < ring_.size(); ++i) {
    ring_.at(i).takenMs -= shift;
    seal(i);
  }
  persist();
  logf("%s reset: boot %lu continues at seq %lu, %u readings kept", resetCauseName(cause),
       static_cast<unsigned long>(bootId_), static_cast<unsigned long>(nextSeq_),
       static_cast<unsigned>(ring_.size()));
  if (what == Restored::BootOnly) logf("retained readings damaged: lost, seqs not reused");
  return what;
}

void Session::noteMissed(uint32_t n) {
  if (n == 0) return;
  missed_ += n;
  persist();
  logf("missed %lu samples (total %lu)", static_cast<unsigned long>(n), static_cast<unsigned long>(missed_));
}

void Session::alive(uint32_t nowMs) {
  clock_.advance(nowMs);
  aliveMs_ = nowMs;
  persist();
}

void Session::persist() {
  if (retention_ == nullptr) return;
  RetainedSession s = {bootId_, nextSeq_, missed_, resets_, aliveMs_};
  retention_->save(ring_, s);
}

void Session::seal(uint16_t i) {
  if (retention_ != nullptr) retention_->sealSlot(ring_, i);
}

uint32_t Session::add(const char* fields, uint32_t nowMs) {
  size_t n = strlen(fields);
  if (n == 0 || n >= kFieldsCapacity) return 0;
  Reading r;
  r.seq = nextSeq_++;
  r.takenMs = nowMs;
  r.flags = clock_.known() ? Reading::kTimeKnown : 0;
  memcpy(r.fields, fields, n + 1);
  uint32_t dropped = 0;
  bool overflow = ring_.push(r, &dropped);
  seal(static_cast<uint16_t>(ring_.size() - 1));  // the slot first, then the header that counts it
  persist();
  if (overflow) {
    if (sent_ > 0) --sent_;  // the oldest entry, if any was sent, was the first sent
    ++stats_.overflowed;
    logf("overflow: dropped seq=%lu", static_cast<unsigned long>(dropped));
  }
  return r.seq;
}

// --- link lifecycle --------------------------------------------------------------------------

bool Session::sendHello(LineOut& out, uint32_t nowMs) {
  linkDown();
  HelloInfo h = {settings_.deviceId, settings_.token, bootId_, nowMs, settings_.firmware, settings_.board,
                 reportResetCause_ ? resetCauseName(resetCause_) : nullptr, missed_, reportResetCause_};
  size_t n = buildHello(line_, sizeof line_, h);
  if (n == 0) {
    logf("hello does not fit a line: device id or token too long");
    return false;
  }
  helloSentMs_ = nowMs;
  helloPending_ = true;
  expectSinceMs_ = nowMs;
  return send(out, LineKind::Hello, n, nowMs);
}

void Session::linkDown() {
  authenticated_ = false;
  helloPending_ = false;
  pingPending_ = false;
  reportPending_ = false;
  sent_ = 0;
  clock_.abandonRequest();
}

bool Session::expecting() const {
  return helloPending_ || pingPending_ || sent_ > 0 || clock_.awaiting();
}

bool Session::stalled(uint32_t nowMs) const {
  return expecting() && elapsedMs(nowMs, expectSinceMs_) >= settings_.replyTimeoutMs;
}

bool Session::send(LineOut& out, LineKind kind, size_t length, uint32_t nowMs) {
  lastSendMs_ = nowMs;
  return out.sendLine(kind, line_, length);
}

// --- sending -----------------------------------------------------------------------------------

bool Session::pump(LineOut& out, uint32_t nowMs) {
  if (!authenticated_) return true;
  bool wasExpecting = expecting();
  bool ok = sendTimeRequest(out, nowMs) && sendReadings(out, nowMs) && sendPingIfIdle(out, nowMs);
  if (!wasExpecting && expecting()) expectSinceMs_ = nowMs;  // the reply timer starts now
  return ok;
}

bool Session::sendPingIfIdle(LineOut& out, uint32_t nowMs) {
  if (pingPending_ || elapsedMs(nowMs, lastSendMs_) < settings_.pingAfterIdleMs) return true;
  pingPending_ = true;
  return send(out, LineKind::Ping, buildPing(line_, sizeof line_), nowMs);
}

bool Session::sendTimeRequest(LineOut& out, uint32_t nowMs) {
  if (clock_.awaiting()) {
    if (elapsedMs(nowMs, clock_.awaitingSince()) < settings_.timeReplyTimeoutMs) return true;
    clock_.requestTimedOut();
  }
  if (!clock_.roundActive() && syncDue(nowMs)) startSyncRound(nowMs);
  if (!clock_.wantsRequest() && !reportPending_) return true;
  // Every request after the first sample carries the estimate in use, so the gateway converts
  // u<millis> readings with the board's own Cristian estimate (PROTOCOL.md section 3).
  bool report = clock_.known();
  size_t n = buildTimeRequest(line_, sizeof line_, nowMs, report, clock_.rttMs(),
                              report ? clock_.offsetAt(nowMs) : 0);
  if (report) reportPending_ = false;
  clock_.requestSent(nowMs);
  return send(out, LineKind::TimeRequest, n, nowMs);
}

bool Session::sendReadings(LineOut& out, uint32_t nowMs) {
  while (sent_ < ring_.size() && sent_ < settings_.window) {
    Reading& r = ring_.at(sent_);
    ++sent_;
    if (r.flags & Reading::kRejected) continue;
    bool epoch = (r.flags & Reading::kTimeKnown) != 0;
    size_t n = buildReading(line_, sizeof line_, r.seq, epoch, epoch ? clock_.epochAt(r.takenMs) : 0,
                            r.takenMs, r.fields);
    if (r.flags & Reading::kSent) {
      ++stats_.resent;
    } else {
      r.flags |= Reading::kSent;
      seal(static_cast<uint16_t>(sent_ - 1));
    }
    if (!send(out, LineKind::Reading, n, nowMs)) return false;
  }
  return true;
}

// --- receiving ---------------------------------------------------------------------------------

LineResult Session::onLine(const char* line, uint32_t nowMs) {
  LineResult result = {ReplyKind::Unknown, false, false, 0};
  Reply r;
  parseReply(line, &r);
  if (r.hasBoot && r.boot != bootId_) {
    // An answer to an earlier boot of this board (MQTT's ack topic outlives a boot): acting on it
    // would drop or reject readings of this boot that carry the same seqs.
    logf("ignored reply for boot %lu", static_cast<unsigned long>(r.boot));
    return result;
  }
  result.kind = r.kind;
  expectSinceMs_ = nowMs;  // the gateway is alive
  pingPending_ = false;
  switch (r.kind) {
    case ReplyKind::HelloOk: onHelloOk(r, nowMs); break;
    case ReplyKind::Ack: onAck(r.seq); break;
    case ReplyKind::Nak: onNak(r); break;
    case ReplyKind::Time: onTime(r, nowMs); break;
    case ReplyKind::Busy:
      result.retryAfterMs = r.millis;
      logf("busy: retry after %lu ms", static_cast<unsigned long>(r.millis));
      break;
    case ReplyKind::Err:
      result.closeLink = errorCloses(r.code) || errorIsPermanent(r.code) || strcmp(r.code, "BAD_HELLO") == 0;
      result.permanent = errorIsPermanent(r.code) || strcmp(r.code, "BAD_HELLO") == 0;
      logf("err %s", r.code);
      break;
    case ReplyKind::Bye: logf("bye from gateway"); break;
    case ReplyKind::Pong: break;
    case ReplyKind::Unknown: logf("ignored reply: %.40s", line); break;
  }
  return result;
}

void Session::onHelloOk(const Reply& r, uint32_t nowMs) {
  if (!helloPending_) return;  // not an answer to our HELLO on this link
  helloPending_ = false;
  authenticated_ = true;
  ++stats_.hellos;
  if (!clock_.known() || syncDue(nowMs)) {
    startSyncRound(nowMs);
  } else {
    reportPending_ = true;  // one T with off= so this link's u<millis> use our estimate
  }
  clock_.addSample(helloSentMs_, r.epochMs, nowMs);  // HELLO OK carries the gateway's clock too
  if (r.seq >= nextSeq_) {
    // The gateway holds more of this boot than we ever numbered: the boot id collided with an
    // earlier boot's. Continue above it so new readings are not taken for duplicates.
    logf("gateway acked seq %lu beyond our last %lu: continuing above it", static_cast<unsigned long>(r.seq),
         static_cast<unsigned long>(nextSeq_ - 1));
    nextSeq_ = r.seq + 1;
  }
  persist();
  sent_ = 0;
  uint16_t dropped = ring_.dropThrough(r.seq);
  stats_.acked += dropped;
  dropSettledFront();
  persist();
  logf("hello ok: acked=%lu dropped=%u pending=%u", static_cast<unsigned long>(r.seq), static_cast<unsigned>(dropped),
       static_cast<unsigned>(ring_.size()));
  logClock();
}

void Session::onAck(uint32_t seq) {
  uint16_t n = ring_.dropThrough(seq);
  sent_ = sent_ > n ? static_cast<uint16_t>(sent_ - n) : 0;
  stats_.acked += n;
  dropSettledFront();
  persist();
  logf("ack %lu pending=%u", static_cast<unsigned long>(seq), static_cast<unsigned>(ring_.size()));
}

void Session::onNak(const Reply& r) {
  Reading* reading = ring_.find(r.seq);
  if (reading != nullptr && !(reading->flags & Reading::kRejected)) {
    reading->flags |= Reading::kRejected;
    ++stats_.rejected;
    for (uint16_t i = 0; i < ring_.size(); ++i) {
      if (&ring_.at(i) == reading) seal(i);
    }
  }
  dropSettledFront();
  persist();
  logf("nak %lu %s", static_cast<unsigned long>(r.seq), r.code);
}

void Session::onTime(const Reply& r, uint32_t nowMs) {
  if (clock_.onReply(r.millis, r.epochMs, nowMs)) logClock();
}

bool Session::syncDue(uint32_t nowMs) const { return !synced_ || resync_.over(nowMs); }

void Session::startSyncRound(uint32_t nowMs) {
  clock_.startRound();
  resync_.start(nowMs, settings_.resyncIntervalMs);
  synced_ = true;
}

void Session::formatStatus(char* out, size_t cap, const char* linkState) const {
  snprintf(out, cap,
           "sheetlog: state=%s boot=%lu seq=%lu pending=%u/%u inflight=%u acked=%lu rejected=%lu "
           "overflowed=%lu resent=%lu missed=%lu reset=%s time=%s",
           linkState, static_cast<unsigned long>(bootId_), static_cast<unsigned long>(lastSeq()),
           static_cast<unsigned>(ring_.size()), static_cast<unsigned>(ring_.capacity()), static_cast<unsigned>(sent_),
           static_cast<unsigned long>(stats_.acked), static_cast<unsigned long>(stats_.rejected),
           static_cast<unsigned long>(stats_.overflowed), static_cast<unsigned long>(stats_.resent),
           static_cast<unsigned long>(missed_), resetCauseName(resetCause_), clock_.known() ? "synced" : "unknown");
}

// NAKed readings leave the buffer once nothing older is waiting before them.
void Session::dropSettledFront() {
  while (!ring_.empty() && (ring_.at(0).flags & Reading::kRejected)) {
    ring_.popFront();
    if (sent_ > 0) --sent_;
  }
}

// Logged when the estimate moves (first sample, or a better or newer one that changes it).
void Session::logClock() {
  if (!clock_.known()) return;
  int64_t off = clock_.offsetAt(clock_.current().atMs);  // epoch - millis, as in off=
  if (clockLogged_ && off == loggedOffset_) return;
  clockLogged_ = true;
  loggedOffset_ = off;
  char text[24];
  formatI64(text, sizeof text, off);
  logf("time offset=%s rtt=%lu", text, static_cast<unsigned long>(clock_.rttMs()));
}

void Session::logf(const char* fmt, ...) {
  if (log_ == nullptr) return;
  char text[96];
  va_list args;
  va_start(args, fmt);
  vsnprintf(text, sizeof text, fmt, args);
  va_end(args);
  log_->logLine(text);
}

}  // namespace sheetlog
