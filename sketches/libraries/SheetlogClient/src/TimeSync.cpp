#include "TimeSync.h"
#include "MillisTime.h"

namespace sheetlog {

void TimeSync::startRound() {
  inRound_ = true;
  left_ = samplesPerRound_;
  roundHasBest_ = false;
}

void TimeSync::requestSent(uint32_t sentMs) {
  awaiting_ = true;
  sentMs_ = sentMs;
  if (inRound_ && left_ > 0) --left_;
}

void TimeSync::requestTimedOut() {
  awaiting_ = false;
  finishRoundIfDone();
}

void TimeSync::abandonRequest() {
  if (awaiting_ && inRound_ && left_ < samplesPerRound_) ++left_;
  awaiting_ = false;
}

bool TimeSync::onReply(uint32_t echoMs, uint64_t gatewayEpochMs, uint32_t nowMs) {
  if (!awaiting_ || echoMs != sentMs_) return false;  // stale or foreign reply
  awaiting_ = false;
  addSample(echoMs, gatewayEpochMs, nowMs);
  finishRoundIfDone();
  return true;
}

void TimeSync::addSample(uint32_t sentMs, uint64_t gatewayEpochMs, uint32_t nowMs) {
  uint32_t rtt = elapsedMs(nowMs, sentMs);
  ClockSample s = {nowMs, gatewayEpochMs + rtt / 2, rtt};
  if (inRound_ && (!roundHasBest_ || s.rttMs < roundBest_.rttMs)) {
    roundBest_ = s;
    roundHasBest_ = true;
  }
  if (!known_ || s.rttMs <= current_.rttMs) {
    current_ = s;
    known_ = true;
  }
}

void TimeSync::finishRoundIfDone() {
  if (!inRound_ || left_ > 0 || awaiting_) return;
  inRound_ = false;
  if (roundHasBest_) current_ = roundBest_;
  roundHasBest_ = false;
}

static void moveTo(ClockSample* s, uint32_t nowMs) {
  uint32_t ahead = elapsedMs(nowMs, s->atMs);
  s->epochMs += ahead;
  s->atMs = nowMs;
}

void TimeSync::advance(uint32_t nowMs) {
  static const uint32_t kRebaseAfterMs = 3600000UL;
  if (known_ && elapsedMs(nowMs, current_.atMs) >= kRebaseAfterMs) moveTo(&current_, nowMs);
  if (roundHasBest_ && elapsedMs(nowMs, roundBest_.atMs) >= kRebaseAfterMs) moveTo(&roundBest_, nowMs);
}

uint64_t TimeSync::epochAt(uint32_t ms) const {
  return static_cast<uint64_t>(static_cast<int64_t>(current_.epochMs) + diffMs(ms, current_.atMs));
}

int64_t TimeSync::offsetAt(uint32_t ms) const {
  return static_cast<int64_t>(epochAt(ms)) - static_cast<int64_t>(ms);
}

}  // namespace sheetlog
