// Readings that survive a reset which keeps RAM (watchdog, software restart, reset pin).
//
// The ring's slots live in memory the startup code does not clear (SHEETLOG_NOINIT: a `.noinit`
// section), and a small header says which slots hold what: ring head and size, the boot id, the
// next seq, the samples missed. The header is kept where the board keeps it best (HeaderStore):
// next to the slots on the SAMD21, in RTC user memory on the ESP8266 (which also survives deep
// sleep). Nothing is trusted without its checksum: the header has one, and every slot has its
// own, written after the slot. After a reset:
//
//   header valid, every held slot valid   continue the boot: same boot id, same seqs, resend
//   header valid, a slot damaged          continue the boot without the readings (seqs never reused)
//   header invalid (power-on, first run)  a new boot with an empty ring
//
// What survives which reset on which board: docs/SKETCHES.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "Reading.h"
#include "ReadingRing.h"

#if defined(ARDUINO_ARCH_SAMD) || defined(ARDUINO_ARCH_ESP8266) || defined(ESP8266)
// Both cores' linker scripts leave `.noinit` out of what the startup code zeroes or copies.
#define SHEETLOG_NOINIT __attribute__((section(".noinit")))
#else
// The host shim saves and restores this section across its emulated resets (sketches/host).
#define SHEETLOG_NOINIT __attribute__((section("sheetlog_noinit")))
#endif

namespace sheetlog {

static const uint32_t kRetainedMagic = 0x53484C31UL;  // "SHL1"; change when the layout changes

struct RetainedHeader {
  uint32_t magic;
  uint16_t capacity;
  uint16_t head;
  uint16_t size;
  uint16_t resets;   // resets this boot survived
  uint32_t bootId;
  uint32_t nextSeq;
  uint32_t missed;   // samples missed this boot (HELLO missed=)
  uint32_t aliveMs;  // millis() when loop() last made progress
  uint32_t check;    // checksum of everything above
};

static_assert(sizeof(RetainedHeader) == 32, "the header must stay small (ESP8266 RTC user memory)");

// Where a board keeps the header.
class HeaderStore {
 public:
  virtual bool load(RetainedHeader* out) = 0;
  virtual void save(const RetainedHeader& h) = 0;

 protected:
  ~HeaderStore() {}
};

// The header in the same no-init RAM as the slots (SAMD21, host).
class RamHeaderStore : public HeaderStore {
 public:
  explicit RamHeaderStore(RetainedHeader* h) : h_(h) {}
  bool load(RetainedHeader* out) override {
    *out = *h_;
    return true;
  }
  void save(const RetainedHeader& h) override { *h_ = h; }

 private:
  RetainedHeader* h_;
};

// The memory to declare `static RetainedSlots<150> retained SHEETLOG_NOINIT;`. Plain data on
// purpose: no constructor may run over it at boot.
template <uint16_t Capacity>
struct RetainedSlots {
  Reading slots[Capacity];
  uint16_t checks[Capacity];
  RetainedHeader header;  // used when the board keeps the header in RAM (RamHeaderStore)
};

// What restore() found.
enum class Restored : uint8_t { Nothing, BootOnly, Everything };

// The state a session keeps across a reset.
struct RetainedSession {
  uint32_t bootId;
  uint32_t nextSeq;
  uint32_t missed;
  uint16_t resets;
  uint32_t aliveMs;
};

class Retention {
 public:
  Retention(Reading* slots, uint16_t* checks, uint16_t capacity, HeaderStore& store)
      : slots_(slots), checks_(checks), capacity_(capacity), store_(store) {}

  template <uint16_t Capacity>
  Retention(RetainedSlots<Capacity>& memory, HeaderStore& store)
      : Retention(memory.slots, memory.checks, Capacity, store) {}

  // At boot, before anything else touches the ring (whose slots must be this memory).
  Restored restore(ReadingRing& ring, RetainedSession* out);
  // After the ring or the session changed.
  void save(const ReadingRing& ring, const RetainedSession& s);
  // After ring.at(i) was written or its flags changed.
  void sealSlot(const ReadingRing& ring, uint16_t i);
  // Invalidates the header (tests; a deliberate fresh start).
  void forget();

 private:
  uint16_t slotCheck(uint16_t physical) const;

  Reading* slots_;
  uint16_t* checks_;
  uint16_t capacity_;
  HeaderStore& store_;
};

uint32_t checksum32(const void* data, size_t n, uint32_t seed);

}  // namespace sheetlog
