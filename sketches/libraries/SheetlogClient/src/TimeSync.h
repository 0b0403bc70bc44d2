// Cristian's algorithm over the protocol's `T` exchange.
//
// The board sends `T <millis>` at `sent`, the gateway answers with its epoch ms `g`, the reply
// arrives at `now`. With rtt = now - sent the gateway clock at `now` is about g + rtt / 2, off by
// at most rtt / 2, so of several samples the one with the smallest round trip is kept.
//
// Samples are gathered in rounds (one after connecting, then one per resync interval). A round's
// best sample replaces the previous estimate when the round ends, even if its round trip is larger:
// board crystals drift (~50 ppm, 180 ms per hour), so an old sample goes stale. Within a round, a
// sample is adopted at once when it is at least as good as the estimate in use, or when there is
// none yet, so the board knows the time after its first exchange.
//
// The estimate is stored as a pair (millis, epoch); other instants are converted through their
// signed 32-bit distance to it, so a millis() rollover does not matter within +/-24 days. So that
// an outage of any length (a month without a T exchange) stays within that distance, advance()
// moves the pair forward along the same estimate (epoch grows with millis) at least every hour; a
// reading is then converted correctly unless it waited in the buffer for more than 24.8 days.
#pragma once
#include <stdint.h>

namespace sheetlog {

struct ClockSample {
  uint32_t atMs;     // board millis when the reply arrived
  uint64_t epochMs;  // estimated gateway epoch ms at atMs
  uint32_t rttMs;
};

class TimeSync {
 public:
  explicit TimeSync(uint8_t samplesPerRound) : samplesPerRound_(samplesPerRound ? samplesPerRound : 1) {}

  // --- rounds ---
  void startRound();
  bool roundActive() const { return inRound_; }
  // True when the round wants another request and none is in flight.
  bool wantsRequest() const { return inRound_ && left_ > 0 && !awaiting_; }
  // A request carrying `sentMs` was written (in a round or not, e.g. a lone report).
  void requestSent(uint32_t sentMs);
  bool awaiting() const { return awaiting_; }
  uint32_t awaitingSince() const { return sentMs_; }
  // No reply in time: that sample is spent.
  void requestTimedOut();
  // The link went down: a request in flight will never be answered; ask again on the next link.
  void abandonRequest();
  // A `T <echo> <gateway-ms>` reply. Returns false when it does not answer the request in flight.
  bool onReply(uint32_t echoMs, uint64_t gatewayEpochMs, uint32_t nowMs);
  // Any exchange with a known send time and a gateway clock reading (HELLO OK is one).
  void addSample(uint32_t sentMs, uint64_t gatewayEpochMs, uint32_t nowMs);

  // Called often (every loop() pass): keeps the reference instant within an hour of now.
  void advance(uint32_t nowMs);

  // --- the estimate ---
  bool known() const { return known_; }
  uint64_t epochAt(uint32_t ms) const;
  // epochAt(ms) - ms: the protocol's `off=` for a `T` line carrying `ms`.
  int64_t offsetAt(uint32_t ms) const;
  uint32_t rttMs() const { return current_.rttMs; }
  const ClockSample& current() const { return current_; }

 private:
  void finishRoundIfDone();

  uint8_t samplesPerRound_;
  bool inRound_ = false;
  uint8_t left_ = 0;
  bool awaiting_ = false;
  uint32_t sentMs_ = 0;
  bool known_ = false;
  ClockSample current_ = {0, 0, 0};
  bool roundHasBest_ = false;
  ClockSample roundBest_ = {0, 0, 0};
};

}  // namespace sheetlog
