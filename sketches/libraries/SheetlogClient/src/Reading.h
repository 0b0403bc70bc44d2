// One buffered reading, kept until the gateway acknowledges it.
#pragma once
#include <stdint.h>

namespace sheetlog {

// Room for "name=value ..." text, NUL included. Chosen so a slot is exactly 64 bytes.
static const uint8_t kFieldsCapacity = 55;

struct Reading {
  enum Flags : uint8_t {
    kTimeKnown = 1,  // the board knew the epoch when it took the reading: send epoch ms, not u<millis>
    kRejected = 2,   // NAKed by the gateway: never send again, drop when it reaches the front
    kSent = 4,       // written on some link at least once (so sending it again is a resend)
  };
  uint32_t seq;        // per-boot counter starting at 1
  uint32_t takenMs;    // millis() when the reading was taken
  uint8_t flags;
  char fields[kFieldsCapacity];
};

static_assert(sizeof(Reading) == 64, "a buffered reading should stay 64 bytes (RAM budget)");

}  // namespace sheetlog
