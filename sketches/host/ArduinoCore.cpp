// Host shim: time, randomness and pins behind Arduino.h.
#include <math.h>

#include "Arduino.h"
#include "HostClock.h"
#include "HostControl.h"

namespace {

uint64_t rngState = 0x9E3779B97F4A7C15ULL;  // random() before randomSeed(): a fixed sequence, as on boards
int analogBits = 10;

uint64_t nextRandom() {  // xorshift64*
  rngState ^= rngState >> 12;
  rngState ^= rngState << 25;
  rngState ^= rngState >> 27;
  return rngState * 0x2545F4914F6CDD1DULL;
}

}  // namespace

// Wrapped to 32 bits like on the boards (see Arduino.h).
unsigned long millis() { return static_cast<uint32_t>(host::clockMicros64() / 1000ULL); }
unsigned long micros() { return static_cast<uint32_t>(host::clockMicros64()); }

void delay(unsigned long ms) {
  host::clockSleepMs(static_cast<uint32_t>(ms));
  host::service();
}

void delayMicroseconds(unsigned int us) { host::clockSleepMs(us / 1000U); }
void yield() {}

void randomSeed(unsigned long seed) {
  rngState = seed != 0 ? static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL : 0x9E3779B97F4A7C15ULL;
}

long random(long howBig) {
  if (howBig <= 0) return 0;
  return static_cast<long>(nextRandom() % static_cast<uint64_t>(howBig));
}

long random(long howSmall, long howBig) {
  if (howSmall >= howBig) return howSmall;
  return howSmall + random(howBig - howSmall);
}

void pinMode(uint8_t, uint8_t) {}
void digitalWrite(uint8_t, uint8_t) {}
int digitalRead(uint8_t) { return LOW; }
void analogReadResolution(int bits) { analogBits = bits > 0 && bits <= 16 ? bits : 10; }

// A TMP36 near 21 degC on a 3.3 V reference (0.71 V = 220 of 1023), drifting slowly with a
// little noise, so the example sensor has something plausible to report.
int analogRead(uint8_t) {
  double seconds = static_cast<double>(host::clockMicros64()) / 1.0e6;
  double volts = 0.71 + 0.02 * sin(seconds / 60.0) + (static_cast<double>(nextRandom() % 5) - 2.0) * 0.001;
  double full = static_cast<double>((1 << analogBits) - 1);
  return static_cast<int>(volts / 3.3 * full + 0.5);
}
