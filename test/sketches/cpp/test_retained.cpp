// Readings kept across resets (Retained.h, Session::begin with a Retention), the HELLO keys that
// report resets and missed samples, and time conversion after month-long outages.
#include <string>
#include <vector>

#include "Retained.h"
#include "Session.h"
#include "check.h"
#include "retained_run.h"

using namespace sheetlog;

namespace {

const uint64_t kEpoch = 1795232400000ULL;

struct Lines : LineOut {
  std::vector<std::string> lines;
  bool sendLine(LineKind, const char* line, size_t length) override {
    lines.push_back(std::string(line, length > 0 ? length - 1 : 0));
    return true;
  }
  std::string last(const char* prefix) const {
    for (size_t i = lines.size(); i > 0; --i) {
      if (lines[i - 1].compare(0, strlen(prefix), prefix) == 0) return lines[i - 1];
    }
    return "";
  }
};

using sheetlog_test::Memory;
using Run = sheetlog_test::RetainedRun;

uint64_t epochOf(const std::string& rLine) {
  // "R <seq> <epoch> ..."
  size_t a = rLine.find(' ', 2);
  return strtoull(rLine.c_str() + a + 1, nullptr, 10);
}

void connect(Session& s, Lines& out, uint32_t now, uint32_t acked) {
  CHECK(s.sendHello(out, now));
  s.onLine(("HELLO OK " + std::to_string(kEpoch + now) + " " + std::to_string(acked)).c_str(), now);
}

}  // namespace

TEST(retained_power_on_starts_a_new_boot_whatever_ram_holds) {
  Memory m;
  Run r(m, 11, ResetCause::PowerOn, 0);
  CHECK(r.restored == Restored::Nothing);
  CHECK_EQ(r.session.bootId(), 11u);
  CHECK_EQ(r.session.pending(), 0u);
  Run garbage(m, 12, ResetCause::Watchdog, 0);  // the header now is run 1's: valid
  CHECK(garbage.restored == Restored::Everything);
  Memory fresh;
  Run random(fresh, 13, ResetCause::Watchdog, 0);  // RAM never written: the checksum refuses it
  CHECK(random.restored == Restored::Nothing);
  CHECK_EQ(random.session.bootId(), 13u);
}

TEST(retained_watchdog_reset_continues_the_boot_its_seqs_and_its_readings) {
  Memory m;
  Lines out;
  uint32_t boot;
  {
    Run r(m, 21, ResetCause::PowerOn, 0);
    boot = r.session.bootId();
    r.session.add("a=1", 100);
    r.session.add("a=2", 200);
    r.session.add("a=3", 300);
    connect(r.session, out, 400, 0);
    r.session.pump(out, 400);
    r.session.onLine("ACK 1", 410);  // 1 is durable; 2 and 3 were sent, not acknowledged
    r.session.noteMissed(2);
    r.session.alive(5000);
    // ... and loop() hangs here; the watchdog resets the chip 8000 ms after the last feed.
  }
  Run after(m, 99, ResetCause::Watchdog, 8000);
  CHECK(after.restored == Restored::Everything);
  CHECK_EQ(after.session.bootId(), boot);
  CHECK_EQ(after.session.pending(), 2u);
  CHECK_EQ(after.session.missed(), 2u);
  CHECK_EQ(after.session.resets(), 1u);
  CHECK_EQ(after.ring.at(0).seq, 2u);
  // Taken 13000 - 200 = 12800 ms before the reset... 200 - (5000 + 8000) on this run's clock.
  CHECK_EQ(after.ring.at(0).takenMs, static_cast<uint32_t>(200u - 13000u));
  CHECK_EQ(after.session.add("a=4", 50), 4u);  // seq continues: 4, never 1 again
  Lines out2;
  connect(after.session, out2, 60, 1);
  CHECK_STR(out2.lines[0].c_str(), ("HELLO dev-1 tok boot=" + std::to_string(boot) + " up=60 reset=watchdog missed=2").c_str());
  after.session.pump(out2, 60);
  CHECK_STR(out2.last("R 2 ").substr(0, 4).c_str(), "R 2 ");
  CHECK(out2.last("R 4 ") != "");
}

TEST(retained_damaged_slot_keeps_the_boot_and_seq_but_not_the_readings) {
  Memory m;
  uint32_t boot;
  {
    Run r(m, 31, ResetCause::PowerOn, 0);
    boot = r.session.bootId();
    r.session.add("a=1", 100);
    r.session.add("a=2", 200);
  }
  m.retained.slots[1].fields[0] ^= 1;  // a bit flipped in the second reading
  Run after(m, 32, ResetCause::Software, 0);
  CHECK(after.restored == Restored::BootOnly);
  CHECK_EQ(after.session.bootId(), boot);
  CHECK_EQ(after.session.pending(), 0u);
  CHECK_EQ(after.session.add("a=3", 10), 3u);  // 1 and 2 are lost, never reused
}

TEST(retained_header_written_half_way_is_refused) {
  Memory m;
  { Run r(m, 41, ResetCause::PowerOn, 0); r.session.add("a=1", 100); }
  m.retained.header.nextSeq += 1;  // a field changed without its checksum
  Run after(m, 42, ResetCause::Watchdog, 0);
  CHECK(after.restored == Restored::Nothing);
  CHECK_EQ(after.session.bootId(), 42u);
  CHECK_EQ(after.session.add("a=1", 10), 1u);
}

TEST(retained_ring_wrapped_and_partly_acknowledged_survives) {
  Memory m;
  Lines out;
  {
    Run r(m, 51, ResetCause::PowerOn, 0);
    for (int i = 1; i <= 11; ++i) r.session.add(("n=" + std::to_string(i)).c_str(), 100u * i);  // 8 slots: 1..3 overflowed
    connect(r.session, out, 2000, 6);
    r.session.alive(2000);
  }
  Run after(m, 52, ResetCause::Pin, 0);
  CHECK(after.restored == Restored::Everything);
  CHECK_EQ(after.session.pending(), 5u);
  CHECK_EQ(after.ring.at(0).seq, 7u);
  CHECK_EQ(after.ring.at(4).seq, 11u);
  CHECK_STR(after.ring.at(4).fields, "n=11");
}

TEST(retained_conversion_after_30_and_60_day_outages) {
  for (uint32_t days : {30u, 60u}) {
    ReadingBuffer<8> buffer;
    SessionSettings settings("dev-1", "tok");
    Session s(buffer, settings);
    s.begin(7);
    Lines out;
    uint32_t now = 0xFFFF0000u;  // crosses the millis() wrap during the outage, too
    // The clock is learnt from a HELLO OK with no round trip: gateway epoch = kEpoch at `now`.
    CHECK(s.sendHello(out, now));
    s.onLine(("HELLO OK " + std::to_string(kEpoch) + " 0").c_str(), now);
    uint64_t epochAtStart = kEpoch;
    s.linkDown();
    uint64_t elapsed = 0;
    // The link is down for `days`; loop() keeps running (alive() every pass, here every minute).
    for (uint64_t t = 0; t < static_cast<uint64_t>(days) * 86400000ULL; t += 60000) {
      now += 60000;
      elapsed += 60000;
      s.alive(now);
    }
    s.add("x=1", now);
    // Back online: this HELLO OK's round trip (80 ms) is worse than the estimate's (0), so the
    // first readings are converted with the month-old estimate, as the issue found.
    CHECK(s.sendHello(out, now));
    s.onLine(("HELLO OK " + std::to_string(epochAtStart + elapsed + 40) + " 0").c_str(), now + 80);
    s.pump(out, now + 80);
    std::string r = out.last("R 1 ");
    CHECK(r != "");
    CHECK_EQ(epochOf(r), epochAtStart + elapsed);
  }
}
