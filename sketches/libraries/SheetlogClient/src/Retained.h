// Readings that survive a reset which keeps RAM (watchdog, software restart, reset pin).
//
// The ring's slots live in memory the startup code does not clear (SHEETLOG_NOINIT: a `.noinit`
// section), and a small header says which slots hold what: ring head and size, the boot id, the
// next seq, the samples missed, and the sketch's counter total (a `kind: counter` field, which must
// not go lower within a boot, so it continues exactly when the boot does). The header is kept
// where the board keeps it best (HeaderStore): next to the slots on the SAMD21, in RTC user memory
// on the ESP8266 (which also survives deep sleep). Nothing is trusted without its checksum: the
// header has one, and every slot has its own, written after the slot. After a reset:
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

// "SHL2"; change when the layout changes (SHL1: 32 bytes, no counter). A header of another layout
// fails this check: the first run of a new layout starts a new boot.
static const uint32_t kRetainedMagic = 0x53484C32UL;

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
  uint32_t counterLow;   // RetainedCounter::whole, low word
  uint32_t counterHigh;  // RetainedCounter::whole, high word
  uint32_t counterPart;  // RetainedCounter::part
  uint32_t check;    // checksum of everything above
};

// The ESP8266 keeps the header in RTC user memory: 512 bytes, written in 4-byte blocks.
static_assert(sizeof(RetainedHeader) == 44, "the header's size is in docs/SKETCHES.md and BoardEsp8266.h");
static_assert(sizeof(RetainedHeader) % 4 == 0 && sizeof(RetainedHeader) <= 512, "must fit ESP8266 RTC user memory");

// A counter's total kept with the boot (EnergyCounter in the example sketches). The gateway refuses
// a `kind: counter` field lower than earlier in the same boot (docs/FIELDS.md), so the total must
// continue when the boot continues; a new boot may start it again at 0. Kept in the header, under
// its checksum: a damaged header starts a new boot, never a continued boot with a lost total.
struct RetainedCounter {
  uint64_t whole;  // in the counter's unit (EnergyCounter: milliwatt-hours)
  uint32_t part;   // what has not made a whole unit yet (EnergyCounter: milliwatt-milliseconds)
};

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

  // The counter total to keep with the boot: written with every header save from now on. Call it
  // whenever the counter changed, before adding a reading that carries the new value, so that the
  // header which counts that reading holds a total at least as high.
  void keepCounter(const RetainedCounter& c) { counter_ = c; }
  // After restore(): the total kept with the continued boot, or 0 when a new boot starts.
  const RetainedCounter& counter() const { return counter_; }

 private:
  uint16_t slotCheck(uint16_t physical) const;

  Reading* slots_;
  uint16_t* checks_;
  uint16_t capacity_;
  HeaderStore& store_;
  RetainedCounter counter_ = {0, 0};
};

uint32_t checksum32(const void* data, size_t n, uint32_t seed);

}  // namespace sheetlog
