// Backoff: doubling from base to cap, equal jitter within [d/2, d], reset.
#include "Backoff.h"
#include "check.h"

using sheetlog::Backoff;

TEST(backoff_doubles_up_to_the_cap) {
  Backoff b(500, 30000);
  const uint32_t ceilings[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (uint32_t want : ceilings) {
    CHECK_EQ(b.ceilingMs(), want);
    b.next(0);
  }
}

TEST(backoff_delay_stays_within_half_and_full_ceiling) {
  Backoff b(500, 30000);
  uint32_t x = 12345;
  for (int attempt = 0; attempt < 40; ++attempt) {
    uint32_t d = b.ceilingMs();
    x = x * 1103515245u + 12345u;
    uint32_t delay = b.next(x);
    CHECK(delay >= d / 2);
    CHECK(delay <= d);
  }
  Backoff lo(1000, 1000), hi(1000, 1000);
  CHECK_EQ(lo.next(0), 500u);              // the smallest random value gives d/2
  CHECK_EQ(hi.next(500), 1000u);           // the top of the span gives d
}

TEST(backoff_jitter_spreads_delays) {
  Backoff a(1000, 60000), b(1000, 60000);
  for (int i = 0; i < 5; ++i) {
    a.next(1);
    b.next(1);
  }
  CHECK(a.next(7) != b.next(20011));  // same attempt, different random draw
}

TEST(backoff_reset_starts_small_again) {
  Backoff b(250, 4000);
  for (int i = 0; i < 10; ++i) b.next(99);
  CHECK_EQ(b.ceilingMs(), 4000u);
  CHECK_EQ(b.attempts(), 10);
  b.reset();
  CHECK_EQ(b.attempts(), 0);
  CHECK_EQ(b.ceilingMs(), 250u);
  CHECK(b.next(0xFFFFFFFFu) <= 250u);
}

TEST(backoff_never_overflows) {
  Backoff b(3000000000u, 0xFFFFFFFFu);  // absurd settings: doubling must saturate at the cap
  for (int i = 0; i < 300; ++i) {
    uint32_t d = b.next(0xFFFFFFFFu);
    CHECK(d >= 1500000000u);
  }
  CHECK_EQ(b.ceilingMs(), 0xFFFFFFFFu);
  CHECK_EQ(b.attempts(), 255);
  Backoff z(0, 0);  // zero base is treated as 1 ms, not a division by zero
  CHECK(z.next(5) <= 1u);
}
