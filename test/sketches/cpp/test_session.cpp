// Session: the protocol conversation, driven with a fake link and a hand-moved clock.
#include <string>
#include <vector>

#include "Session.h"
#include "check.h"

using namespace sheetlog;

namespace {

const uint64_t kEpoch = 1795232400000ULL;

struct FakeLink : LineOut {
  std::vector<std::string> lines;
  bool broken = false;
  bool sendLine(LineKind, const char* line, size_t length) override {
    if (broken) return false;
    lines.push_back(std::string(line, length > 0 ? length - 1 : 0));  // without "\n"
    return true;
  }
  std::vector<std::string> take() {
    std::vector<std::string> out;
    out.swap(lines);
    return out;
  }
  std::vector<std::string> starting(const char* prefix) const {
    std::vector<std::string> out;
    for (const std::string& l : lines) {
      if (l.compare(0, strlen(prefix), prefix) == 0) out.push_back(l);
    }
    return out;
  }
};

struct Fixture {
  ReadingBuffer<8> buffer;
  SessionSettings settings{"dev-1", "tok"};
  Session* session = nullptr;
  FakeLink link;
  uint32_t now = 1000;

  explicit Fixture(uint16_t window = 4, uint8_t syncSamples = 2) {
    settings.window = window;
    settings.syncSamples = syncSamples;
    settings.firmware = "1.0.0";
    settings.board = "test";
    session = new Session(buffer, settings);
    session->begin(77);
  }
  ~Fixture() { delete session; }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  uint32_t add(const char* fields) { return session->add(fields, now); }
  LineResult reply(const std::string& line) { return session->onLine(line.c_str(), now); }
  void connect(uint32_t acked) {
    CHECK(session->sendHello(link, now));
    now += 10;
    reply("HELLO OK " + std::to_string(kEpoch + now - 5) + " " + std::to_string(acked));
  }
  // Answers every T request in the link's output now; the gateway's clock reads kEpoch + now.
  void answerTime() {
    for (const std::string& l : link.starting("T ")) {
      unsigned long ms = strtoul(l.c_str() + 2, nullptr, 10);
      reply("T " + std::to_string(ms) + " " + std::to_string(kEpoch + now));
    }
  }
};

}  // namespace

TEST(session_hello_carries_boot_uptime_firmware_board) {
  Fixture f;
  f.now = 5040;
  CHECK(f.session->sendHello(f.link, f.now));
  CHECK_EQ(f.link.lines.size(), 1u);
  CHECK_STR(f.link.lines[0].c_str(), "HELLO dev-1 tok boot=77 up=5040 fw=1.0.0 board=test");
  CHECK(!f.session->authenticated());
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.lines.size(), 1u);  // nothing else before HELLO OK
}

TEST(session_stamps_uptime_before_the_clock_is_known_and_epoch_after) {
  Fixture f(8, 1);
  f.now = 200;
  f.add("t=1");  // no clock yet: u<millis>
  f.connect(0);  // HELLO OK is the first clock sample
  f.add("t=2");
  f.session->pump(f.link, f.now);
  std::vector<std::string> r = f.link.starting("R ");
  CHECK_EQ(r.size(), 2u);
  if (r.size() == 2) {
    CHECK_STR(r[0].c_str(), "R 1 u200 t=1");
    CHECK_STR(r[1].c_str(), ("R 2 " + std::to_string(kEpoch + f.now) + " t=2").c_str());
  }
}

TEST(session_cumulative_ack_drops_everything_up_to_the_seq) {
  Fixture f(8);
  f.connect(0);
  for (int i = 0; i < 5; ++i) f.add("x=1");
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.session->inFlight(), 5);
  f.reply("ACK 3");
  CHECK_EQ(f.session->pending(), 2);
  CHECK_EQ(f.session->inFlight(), 2);
  f.reply("ACK 5");
  CHECK_EQ(f.session->pending(), 0);
  CHECK_EQ(f.session->stats().acked, 5u);
}

TEST(session_window_limits_readings_in_flight) {
  Fixture f(3);
  f.connect(0);
  for (int i = 0; i < 7; ++i) f.add("x=1");
  f.link.take();
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("R ").size(), 3u);
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("R ").size(), 3u);  // nothing more until an ACK
  f.reply("ACK 2");
  f.session->pump(f.link, f.now);
  std::vector<std::string> r = f.link.starting("R ");
  CHECK_EQ(r.size(), 5u);
  if (r.size() == 5) CHECK(r[4].compare(0, 4, "R 5 ") == 0);
}

TEST(session_resends_after_reconnect_from_the_hello_ok_acked_seq) {
  Fixture f(8);
  f.connect(0);
  for (int i = 0; i < 6; ++i) f.add("x=1");
  f.session->pump(f.link, f.now);
  f.reply("ACK 2");
  f.session->linkDown();  // 3..6 were sent, not acknowledged
  f.link.take();
  f.connect(4);  // the gateway committed 3 and 4 before the link died
  CHECK_EQ(f.session->pending(), 2);
  f.session->pump(f.link, f.now);
  std::vector<std::string> r = f.link.starting("R ");
  CHECK_EQ(r.size(), 2u);
  if (r.size() == 2) {
    CHECK(r[0].compare(0, 4, "R 5 ") == 0);
    CHECK(r[1].compare(0, 4, "R 6 ") == 0);
  }
  CHECK_EQ(f.session->stats().resent, 2u);
}

TEST(session_nak_drops_that_reading_only) {
  Fixture f(8);
  f.connect(0);
  f.add("a=1");
  f.add("b=");
  f.add("c=3");
  f.session->pump(f.link, f.now);
  f.reply("NAK 2 BAD_VALUE field b: empty value");
  CHECK_EQ(f.session->stats().rejected, 1u);
  CHECK_EQ(f.session->pending(), 3);  // 2 waits behind 1, which is not acknowledged yet
  f.session->linkDown();
  f.link.take();
  f.connect(0);
  f.session->pump(f.link, f.now);
  std::vector<std::string> r = f.link.starting("R ");
  CHECK_EQ(r.size(), 2u);  // the rejected reading is never sent again
  f.reply("ACK 1");
  CHECK_EQ(f.session->pending(), 1);  // 1 acked, 2 (rejected) left with it
  f.reply("ACK 3");
  CHECK_EQ(f.session->pending(), 0);
}

TEST(session_ignores_replies_for_another_boot) {
  Fixture f(8);  // boot 77
  f.session->sendHello(f.link, f.now);
  LineResult stale = f.reply("HELLO OK 1795232400140 3 boot=76");
  CHECK(stale.kind == ReplyKind::Unknown);
  CHECK(!f.session->authenticated());
  f.reply("HELLO OK 1795232400140 0 boot=77");
  CHECK(f.session->authenticated());
  f.add("a=1");
  f.add("b=2");
  f.session->pump(f.link, f.now);
  CHECK(f.reply("ACK 2 boot=76").kind == ReplyKind::Unknown);
  CHECK(f.reply("NAK 1 BAD_VALUE boot=76 late").kind == ReplyKind::Unknown);
  CHECK_EQ(f.session->pending(), 2);  // neither the old boot's ACK nor its NAK touched ours
  CHECK_EQ(f.session->stats().rejected, 0u);
  CHECK_EQ(f.session->lowestHeld(), 1u);
  f.reply("ACK 1 boot=77");
  CHECK_EQ(f.session->pending(), 1);
  CHECK_EQ(f.session->lowestHeld(), 2u);
  f.reply("ACK 2");
  CHECK_EQ(f.session->lowestHeld(), 3u);  // nothing held: the next seq
}

TEST(session_busy_and_closing_errors_tell_the_transport) {
  Fixture f;
  f.connect(0);
  LineResult busy = f.reply("BUSY 5000");
  CHECK(busy.kind == ReplyKind::Busy);
  CHECK_EQ(busy.retryAfterMs, 5000u);
  f.add("x=1");
  CHECK_EQ(f.session->pending(), 1);  // BUSY never drops readings
  LineResult taken = f.reply("ERR TAKEN_OVER another connection");
  CHECK(taken.closeLink && !taken.permanent);
  LineResult auth = f.reply("ERR AUTH_FAILED wrong token");
  CHECK(auth.closeLink && auth.permanent);
  LineResult verb = f.reply("ERR UNKNOWN_VERB what");
  CHECK(!verb.closeLink);
}

TEST(session_overflow_while_in_flight_keeps_counts_right) {
  Fixture f(8);
  f.connect(0);
  for (int i = 0; i < 8; ++i) f.add("x=1");
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.session->inFlight(), 8);
  f.add("x=9");  // full: seq 1 (sent) is dropped
  CHECK_EQ(f.session->stats().overflowed, 1u);
  CHECK_EQ(f.session->inFlight(), 7);
  f.reply("ACK 8");
  CHECK_EQ(f.session->pending(), 1);
  CHECK_EQ(f.session->inFlight(), 0);
  f.link.take();
  f.session->pump(f.link, f.now);
  std::vector<std::string> r = f.link.starting("R ");
  CHECK_EQ(r.size(), 1u);
  if (!r.empty()) CHECK(r[0].compare(0, 4, "R 9 ") == 0);
}

TEST(session_time_sync_round_reports_rtt_and_offset) {
  Fixture f(4, 3);
  f.connect(0);  // HELLO OK: first sample, round of 3 starts
  f.link.take();
  for (int i = 0; i < 5; ++i) {
    f.session->pump(f.link, f.now);
    f.now += 1;
    f.answerTime();
    f.now += 100;
  }
  std::vector<std::string> t = f.link.starting("T ");
  CHECK_EQ(t.size(), 3u);  // one round: 3 requests, one at a time
  for (const std::string& l : t) CHECK(l.find(" rtt=") != std::string::npos && l.find(" off=") != std::string::npos);
  CHECK(f.session->clock().known());
  CHECK_EQ(f.session->clock().rttMs(), 1u);
  CHECK_EQ(f.session->clock().epochAt(f.now), kEpoch + f.now);
}

TEST(session_reconnect_sends_one_report_when_the_clock_is_fresh) {
  Fixture f(4, 1);
  f.connect(0);
  f.session->pump(f.link, f.now);
  f.now += 1;
  f.answerTime();
  f.session->linkDown();
  f.link.take();
  f.now += 5000;
  f.connect(0);
  f.session->pump(f.link, f.now);
  std::vector<std::string> t = f.link.starting("T ");
  CHECK_EQ(t.size(), 1u);
  if (!t.empty()) CHECK(t[0].find(" off=") != std::string::npos);
  f.now += 1;
  f.answerTime();
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("T ").size(), 1u);  // no new round until the resync interval
}

TEST(session_resyncs_after_the_interval_even_weeks_later) {
  Fixture f(4, 1);
  f.connect(0);
  f.session->pump(f.link, f.now);
  f.now += 1;
  f.answerTime();
  f.link.take();
  f.now += 30u * 86400000u;  // a month without a reconnect (beyond 2^31 ms)
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("T ").size(), 1u);  // a new round is due
}

TEST(session_stalls_when_the_gateway_goes_quiet) {
  Fixture f;  // replyTimeoutMs defaults to 15 s
  f.session->sendHello(f.link, f.now);
  CHECK(!f.session->stalled(f.now + 14999));
  CHECK(f.session->stalled(f.now + 15000));  // no HELLO OK
  f.now += 10;
  f.reply("HELLO OK " + std::to_string(kEpoch) + " 0");
  f.answerTime();
  f.session->pump(f.link, f.now);
  f.answerTime();
  f.add("x=1");
  f.session->pump(f.link, f.now);
  CHECK(f.session->stalled(f.now + 16000));  // R sent, no ACK
  f.now += 100;
  f.reply("ACK 1");
  f.answerTime();
  CHECK(!f.session->clock().awaiting());
  CHECK(!f.session->stalled(f.now + 16000));  // nothing outstanding: silence is fine
}

TEST(session_pings_after_an_idle_minute) {
  Fixture f(4, 1);
  f.connect(0);
  f.session->pump(f.link, f.now);
  f.answerTime();
  f.link.take();
  f.now += 59999;
  f.session->pump(f.link, f.now);
  CHECK(f.link.starting("PING").empty());
  f.now += 1;
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("PING").size(), 1u);
  f.now += 1000;
  f.session->pump(f.link, f.now);
  CHECK_EQ(f.link.starting("PING").size(), 1u);  // one at a time
  f.reply("PONG");
}

TEST(session_gateway_ahead_of_our_numbering_moves_seq_on) {
  Fixture f;
  f.add("x=1");
  f.connect(500);  // boot id collision: the gateway already holds seq <= 500 of this boot
  CHECK_EQ(f.session->pending(), 0);
  CHECK_EQ(f.add("x=2"), 501u);
}

TEST(session_write_failure_is_reported) {
  Fixture f;
  f.connect(0);
  f.add("x=1");
  f.link.broken = true;
  CHECK(!f.session->pump(f.link, f.now));
  CHECK(f.add(std::string(kFieldsCapacity, 'a').c_str()) == 0);  // too long for a slot
}
