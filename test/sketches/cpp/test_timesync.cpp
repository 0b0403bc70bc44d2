// TimeSync: Cristian's estimate, best of a round by round trip, rollover-safe conversion.
#include "TimeSync.h"
#include "check.h"

using sheetlog::TimeSync;

namespace {

const uint64_t kEpoch = 1795232400000ULL;  // gateway clock at board millis 0 in these tests

// One exchange: request at `sent`, the gateway reads its clock `toGateway` ms later, the reply
// arrives `rtt` ms after sending. Returns whether the reply was accepted.
bool exchange(TimeSync& t, uint32_t sent, uint32_t rtt, uint32_t toGateway) {
  t.requestSent(sent);
  return t.onReply(sent, kEpoch + sent + toGateway, sent + rtt);
}

}  // namespace

TEST(timesync_unknown_until_a_sample) {
  TimeSync t(5);
  CHECK(!t.known());
  t.startRound();
  CHECK(t.wantsRequest());
  t.requestSent(100);
  CHECK(!t.wantsRequest());  // one request in flight at a time
  CHECK(t.awaiting());
  CHECK(!t.known());
}

TEST(timesync_estimate_is_gateway_time_plus_half_rtt) {
  TimeSync t(1);
  t.startRound();
  CHECK(exchange(t, 1000, 40, 20));  // symmetric path: the gateway read its clock halfway
  CHECK(t.known());
  CHECK_EQ(t.rttMs(), 40u);
  CHECK_EQ(t.epochAt(1040), kEpoch + 1040);
  CHECK_EQ(t.epochAt(5000), kEpoch + 5000);
  CHECK_EQ(t.offsetAt(5000), static_cast<int64_t>(kEpoch));
  CHECK(!t.roundActive());
}

TEST(timesync_keeps_the_smallest_round_trip_of_a_round) {
  TimeSync t(4);
  t.startRound();
  // Asymmetric delays: big round trips carry big errors; the 4 ms one is the most accurate.
  CHECK(exchange(t, 1000, 300, 290));  // error +145
  CHECK(exchange(t, 2000, 4, 2));      // error 0
  CHECK(exchange(t, 3000, 80, 10));    // error -30
  CHECK(t.roundActive());
  CHECK(exchange(t, 4000, 120, 100));  // error +40
  CHECK(!t.roundActive());
  CHECK_EQ(t.rttMs(), 4u);
  CHECK_EQ(t.epochAt(10000), kEpoch + 10000);
}

TEST(timesync_a_new_round_replaces_an_old_better_sample) {
  TimeSync t(2);
  t.startRound();
  exchange(t, 1000, 2, 1);
  exchange(t, 2000, 10, 5);
  CHECK_EQ(t.rttMs(), 2u);
  // An hour later the crystal has drifted 180 ms: the gateway now reads 180 ms later.
  t.startRound();
  t.requestSent(3600000);
  t.onReply(3600000, kEpoch + 3600000 + 180 + 5, 3600010);
  CHECK_EQ(t.rttMs(), 2u);  // mid-round: the old, better sample is still in use
  t.requestSent(3601000);
  t.onReply(3601000, kEpoch + 3601000 + 180 + 4, 3601008);
  CHECK_EQ(t.rttMs(), 8u);  // round over: its best (8 ms) replaces the stale 2 ms sample
  CHECK_EQ(t.epochAt(3601008), kEpoch + 3601008 + 180);
}

TEST(timesync_ignores_stale_and_foreign_replies) {
  TimeSync t(3);
  t.startRound();
  t.requestSent(500);
  CHECK(!t.onReply(499, kEpoch, 520));  // not the request in flight
  CHECK(!t.known());
  CHECK(t.onReply(500, kEpoch + 510, 520));
  CHECK(!t.onReply(500, kEpoch + 999, 530));  // a duplicate reply
  CHECK_EQ(t.epochAt(520), kEpoch + 520);
}

TEST(timesync_timeouts_and_lost_links_spend_or_return_samples) {
  TimeSync t(2);
  t.startRound();
  t.requestSent(100);
  t.abandonRequest();  // link dropped: the sample is asked for again
  CHECK(t.wantsRequest());
  t.requestSent(200);
  t.requestTimedOut();  // no answer: spent
  CHECK(t.wantsRequest());
  t.requestSent(300);
  t.requestTimedOut();
  CHECK(!t.roundActive());
  CHECK(!t.known());  // a round without replies leaves the clock unknown
}

TEST(timesync_hello_ok_counts_as_a_sample) {
  TimeSync t(3);
  t.addSample(2000, kEpoch + 2000 + 15, 2030);  // HELLO at 2000, HELLO OK at 2030
  CHECK(t.known());
  CHECK_EQ(t.rttMs(), 30u);
  CHECK_EQ(t.epochAt(2030), kEpoch + 2030);
}

TEST(timesync_converts_across_the_millis_rollover) {
  TimeSync t(1);
  const uint32_t sent = 0xFFFFFFF0u;  // 16 ms before millis() wraps
  t.startRound();
  t.requestSent(sent);
  CHECK(t.onReply(sent, kEpoch + 5, sent + 10));  // reply arrives 10 ms later, still before the wrap
  uint64_t atReply = t.epochAt(sent + 10);
  CHECK_EQ(atReply, kEpoch + 10);
  CHECK_EQ(t.epochAt(0x00000000u), kEpoch + 16);   // just after the wrap
  CHECK_EQ(t.epochAt(1000u), kEpoch + 1016);
  CHECK_EQ(t.epochAt(0xFFFFF000u), kEpoch - 4080);  // before the sample
  // off= is reported relative to the millis on the T line that carries it.
  CHECK_EQ(t.offsetAt(1000u), static_cast<int64_t>(kEpoch + 16));
  CHECK_EQ(t.offsetAt(0xFFFFFFFFu), static_cast<int64_t>(kEpoch + 15) - static_cast<int64_t>(0xFFFFFFFFu));
}
