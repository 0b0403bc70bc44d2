// uint32_t millis() arithmetic across the 49.7-day rollover, and the timers built on it.
#include "EnergyCounter.h"
#include "MillisTime.h"
#include "Periodic.h"
#include "check.h"

using namespace sheetlog;

TEST(millis_differences_across_the_wrap) {
  CHECK_EQ(elapsedMs(5, 0xFFFFFFFBu), 10u);
  CHECK_EQ(diffMs(5, 0xFFFFFFFBu), 10);
  CHECK_EQ(diffMs(0xFFFFFFFBu, 5), -10);
  CHECK_EQ(diffMs(0x7FFFFFFFu, 0), 0x7FFFFFFF);
  CHECK_EQ(diffMs(0x80000000u, 0), static_cast<int32_t>(-0x7FFFFFFF - 1));
}

TEST(millis_wait_is_over_across_the_wrap_and_after_weeks_unobserved) {
  Wait w;
  CHECK(w.over(0));
  CHECK(w.over(0xFFFFFFF0u));  // a default wait is over whatever millis() says (boot near 2^32)
  w.start(0xFFFFFF00u, 500);   // started 256 ms before the wrap
  CHECK(!w.over(0xFFFFFFFFu));
  CHECK(!w.over(243));
  CHECK(w.over(244));
  const uint32_t day = 86400000u;
  // Nobody looked for 30 days: a deadline compared in signed arithmetic would now seem 19 days
  // away; the elapsed-time wait is still over.
  CHECK(w.over(0xFFFFFF00u + 30 * day));
  CHECK(diffMs(0xFFFFFF00u + 30 * day, 0xFFFFFF00u + 500) < 0);  // what the deadline check would see
}

TEST(millis_naive_unsigned_long_math_would_fail) {
  // Why the library never uses 64-bit unsigned long for millis: on the host the subtraction
  // below is huge instead of 10.
  uint64_t now = 5, then = 0xFFFFFFFBu;
  CHECK(now - then != 10u);
  CHECK_EQ(static_cast<uint32_t>(now) - static_cast<uint32_t>(then), 10u);
}

TEST(periodic_fires_every_period_across_the_wrap) {
  Periodic every(1000);
  uint32_t t = 0xFFFFF000u;  // 4096 ms before the wrap
  int fired = 0;
  for (uint32_t step = 0; step < 10000; ++step, t += 1) {
    if (every.due(t)) ++fired;
  }
  CHECK_EQ(fired, 10);  // at 0, 1000, ..., 9000 ms after the start, wrap or not
}

TEST(periodic_takes_a_late_period_at_once_and_keeps_the_grid) {
  Periodic every(1000);
  CHECK(every.due(0));
  CHECK(!every.due(999));
  CHECK(every.due(1900));  // 900 ms late (the radio blocked): taken now, nothing missed
  CHECK_EQ(every.takeMissed(), 0u);
  CHECK(!every.due(1999));
  CHECK(every.due(2000));  // back on the grid: 2000, not 2900
  CHECK_EQ(every.takeMissed(), 0u);
}

TEST(periodic_counts_whole_periods_that_passed_without_a_chance) {
  Periodic every(100);
  CHECK(every.due(0));
  CHECK(!every.due(50));
  CHECK(every.due(1000));   // loop() was blocked for 10 periods: one reading, not ten
  CHECK_EQ(every.takeMissed(), 9u);  // 100 .. 900 were never taken: counted, not silent
  CHECK_EQ(every.takeMissed(), 0u);
  CHECK(!every.due(1001));
  CHECK(!every.due(1099));
  CHECK(every.due(1100));
  every.restart();  // sampling resumed after a pause: due at once, nothing counted
  CHECK(every.due(5000));
  CHECK_EQ(every.takeMissed(), 0u);
}

TEST(periodic_resumes_after_a_long_pause) {
  Periodic every(10000);
  uint32_t t = 1000;
  CHECK(every.due(t));
  t += 26u * 86400000u;  // sampling paused for 26 days (> 2^31 ms): due at once on resume
  every.restart();
  CHECK(every.due(t));
  CHECK(!every.due(t + 9999));
  CHECK(every.due(t + 10000));
  CHECK_EQ(every.takeMissed(), 0u);
}

TEST(energy_counter_is_monotonic_and_exact_across_the_wrap) {
  EnergyCounter e;
  uint32_t t = 0xFFFF0000u;
  e.addPower(60000, t);  // first call: start only
  int64_t last = 0;
  for (int i = 0; i < 3600; ++i) {
    t += 1000;  // crosses the wrap after ~65 s
    e.addPower(60000, t);
    CHECK(e.milliWattHours() >= last);
    last = e.milliWattHours();
  }
  CHECK_EQ(e.milliWattHours(), 60000);  // 60 W for one hour = 60 Wh = 60000 mWh
}
