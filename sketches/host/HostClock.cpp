#include "HostClock.h"

#include <time.h>

namespace host {

namespace {

struct ClockState {
  uint64_t startUs = 0;
  double speed = 1.0;
  uint64_t jumpUs = 0;
  int64_t monoStartNs = 0;
  int64_t epochStartMs = 0;
  bool started = false;
};

ClockState& state() {
  static ClockState s;
  return s;
}

int64_t nowNs(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace

void clockStart(uint32_t startMs, double speed) {
  ClockState& s = state();
  s.startUs = static_cast<uint64_t>(startMs) * 1000ULL;
  s.speed = speed > 0 ? speed : 1.0;
  s.jumpUs = 0;
  s.monoStartNs = nowNs(CLOCK_MONOTONIC);
  s.epochStartMs = nowNs(CLOCK_REALTIME) / 1000000LL;
  s.started = true;
}

uint64_t clockMicros64() {
  ClockState& s = state();
  if (!s.started) clockStart(0, 1.0);
  double realUs = static_cast<double>(nowNs(CLOCK_MONOTONIC) - s.monoStartNs) / 1000.0;
  return s.startUs + s.jumpUs + static_cast<uint64_t>(realUs * s.speed);
}

int64_t clockEpochAtStartMs() { return state().epochStartMs; }
uint32_t clockStartMs() { return static_cast<uint32_t>(state().startUs / 1000ULL); }
double clockSpeed() { return state().speed; }

void clockAdvanceMs(uint32_t ms) { state().jumpUs += static_cast<uint64_t>(ms) * 1000ULL; }

void clockSleepMs(uint32_t ms) {
  double realNs = static_cast<double>(ms) * 1.0e6 / state().speed;
  timespec ts;
  ts.tv_sec = static_cast<time_t>(realNs / 1.0e9);
  ts.tv_nsec = static_cast<long>(realNs - static_cast<double>(ts.tv_sec) * 1.0e9);
  nanosleep(&ts, nullptr);
}

}  // namespace host
