// The example's energy counter kept with the boot (Retention::keepCounter/counter(), the
// retained header): it continues when the boot continues and starts at 0 only with a new boot, so
// the gateway's `kind: counter` rule never sees it go lower within a boot.
#include <string>

#include "EnergyCounter.h"
#include "Retained.h"
#include "Session.h"
#include "check.h"
#include "retained_run.h"

using namespace sheetlog;

namespace {

using sheetlog_test::Memory;

// What ExampleLogger does: restore, resume the counter from what was kept; per pass, add power,
// hand the total to the Retention, take a reading with it, mark the pass alive.
struct Run : sheetlog_test::RetainedRun {
  EnergyCounter energy;
  Run(Memory& m, uint32_t freshBoot, ResetCause cause) : RetainedRun(m, freshBoot, cause, 0) {
    energy.resume(retention.counter().whole, retention.counter().part);
  }
  void pass(uint32_t nowMs, uint32_t milliwatts, bool reading) {
    energy.addPower(milliwatts, nowMs);
    retention.keepCounter(RetainedCounter{static_cast<uint64_t>(energy.milliWattHours()), energy.remainder()});
    if (reading) session.add(("energy_wh=" + std::to_string(energy.milliWattHours())).c_str(), nowMs);
    session.alive(nowMs);
  }
};

}  // namespace

TEST(energy_counter_resumes_exactly_from_a_kept_total) {
  // One counter run through; another stopped half-way and resumed from its kept total at the same
  // instant: the same milliwatt-hours, the remainder included.
  EnergyCounter whole;
  EnergyCounter first;
  uint32_t t = 0;
  whole.addPower(0, t);
  first.addPower(0, t);
  for (int i = 0; i < 1000; ++i) {
    t += 777;
    whole.addPower(64500, t);
    first.addPower(64500, t);
  }
  CHECK(first.remainder() > 0);
  EnergyCounter second;
  second.resume(static_cast<uint64_t>(first.milliWattHours()), first.remainder());
  CHECK_EQ(second.milliWattHours(), first.milliWattHours());
  second.addPower(64500, t);  // after a resume, the first call only sets the start
  CHECK_EQ(second.milliWattHours(), first.milliWattHours());
  for (int i = 0; i < 1000; ++i) {
    t += 777;
    whole.addPower(64500, t);
    second.addPower(64500, t);
  }
  CHECK_EQ(second.milliWattHours(), whole.milliWattHours());
  CHECK_EQ(second.remainder(), whole.remainder());
  EnergyCounter carried;
  carried.resume(5, 3600000UL + 10);  // a remainder of a whole unit or more is carried
  CHECK_EQ(carried.milliWattHours(), 6);
  CHECK_EQ(carried.remainder(), 10u);
}

TEST(retained_counter_continues_when_the_boot_continues) {
  Memory m;
  uint32_t boot;
  int64_t before;
  {
    Run r(m, 61, ResetCause::PowerOn);
    CHECK_EQ(r.energy.milliWattHours(), 0);
    boot = r.session.bootId();
    for (uint32_t t = 0; t <= 60000; t += 1000) r.pass(t, 64500, t % 10000 == 0);
    before = r.energy.milliWattHours();
    CHECK(before > 1000);  // 64.5 W for 60 s: 1075 mWh
  }
  for (ResetCause cause : {ResetCause::Watchdog, ResetCause::Software, ResetCause::Pin, ResetCause::Crash}) {
    Run after(m, 62, cause);
    CHECK(after.restored == Restored::Everything);
    CHECK_EQ(after.session.bootId(), boot);
    CHECK_EQ(after.energy.milliWattHours(), before);
  }
  Run after(m, 63, ResetCause::Watchdog);
  after.pass(5, 64500, true);  // the first pass only sets the start: the reading carries the kept total
  CHECK_STR(after.ring.at(after.ring.size() - 1).fields, ("energy_wh=" + std::to_string(before)).c_str());
  after.pass(1005, 64500, true);
  CHECK(after.energy.milliWattHours() > before);
}

TEST(retained_counter_kept_with_the_reading_that_carries_it) {
  // A reset right after a reading was added, before the pass ends (no alive()): the header that
  // counts the reading already holds its total, so the next reading is never lower.
  Memory m;
  int64_t carried;
  {
    Run r(m, 71, ResetCause::PowerOn);
    for (uint32_t t = 0; t <= 30000; t += 1000) r.pass(t, 64500, false);
    r.energy.addPower(64500, 31000);
    r.retention.keepCounter(RetainedCounter{static_cast<uint64_t>(r.energy.milliWattHours()), r.energy.remainder()});
    carried = r.energy.milliWattHours();
    r.session.add(("energy_wh=" + std::to_string(carried)).c_str(), 31000);
    // ... and the watchdog fires here.
  }
  Run after(m, 72, ResetCause::Watchdog);
  CHECK(after.restored == Restored::Everything);
  CHECK_STR(after.ring.at(0).fields, ("energy_wh=" + std::to_string(carried)).c_str());
  CHECK_EQ(after.energy.milliWattHours(), carried);
}

TEST(retained_counter_starts_at_zero_with_a_new_boot) {
  Memory m;
  {
    Run r(m, 81, ResetCause::PowerOn);
    for (uint32_t t = 0; t <= 60000; t += 1000) r.pass(t, 64500, t % 10000 == 0);
    CHECK(r.energy.milliWattHours() > 0);
  }
  for (ResetCause cause : {ResetCause::PowerOn, ResetCause::Brownout, ResetCause::Wake, ResetCause::Unknown}) {
    Run fresh(m, 82, cause);
    CHECK(fresh.restored == Restored::Nothing);
    CHECK_EQ(fresh.session.bootId(), 82u);
    CHECK_EQ(fresh.energy.milliWattHours(), 0);
    CHECK_EQ(fresh.retention.counter().whole, 0u);
  }
  // The last power-on wrote a new boot's header with a zero total: a watchdog reset now keeps 0.
  Run after(m, 83, ResetCause::Watchdog);
  CHECK_EQ(after.session.bootId(), 82u);
  CHECK_EQ(after.energy.milliWattHours(), 0);
  Memory never;  // RAM nobody wrote (a first power-up reported as a watchdog reset)
  Run random(never, 84, ResetCause::Watchdog);
  CHECK(random.restored == Restored::Nothing);
  CHECK_EQ(random.energy.milliWattHours(), 0);
}

TEST(retained_counter_damaged_starts_a_new_boot_never_a_lower_total) {
  for (int word = 0; word < 3; ++word) {
    Memory m;
    uint32_t boot;
    {
      Run r(m, 91, ResetCause::PowerOn);
      boot = r.session.bootId();
      for (uint32_t t = 0; t <= 60000; t += 1000) r.pass(t, 64500, t % 10000 == 0);
    }
    uint32_t* damaged = word == 0 ? &m.retained.header.counterLow
                        : word == 1 ? &m.retained.header.counterHigh
                                    : &m.retained.header.counterPart;
    *damaged ^= 0x40;  // a bit of the total flipped, the checksum not rewritten
    Run after(m, 92, ResetCause::Watchdog);
    CHECK(after.restored == Restored::Nothing);
    CHECK(after.session.bootId() != boot);  // a new boot, which may start at 0
    CHECK_EQ(after.energy.milliWattHours(), 0);
    CHECK_EQ(after.session.add("energy_wh=0", 10), 1u);
  }
}
