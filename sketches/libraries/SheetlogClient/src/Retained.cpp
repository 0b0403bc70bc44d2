#include "Retained.h"

#include <string.h>

namespace sheetlog {

// FNV-1a: not cryptographic, but any random RAM content (power-on) or a half-written record
// passes it with odds of 1 in 2^32.
uint32_t checksum32(const void* data, size_t n, uint32_t seed) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t h = seed;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619UL;
  return h;
}

static uint32_t headerCheck(const RetainedHeader& h) {
  return checksum32(&h, offsetof(RetainedHeader, check), 2166136261UL);
}

uint16_t Retention::slotCheck(uint16_t physical) const {
  // Seeded with the slot number: a slot's bytes copied elsewhere do not pass there.
  uint32_t h = checksum32(&slots_[physical], sizeof(Reading), 2166136261UL ^ physical);
  return static_cast<uint16_t>((h >> 16) ^ (h & 0xFFFF));
}

Restored Retention::restore(ReadingRing& ring, RetainedSession* out) {
  RetainedHeader h;
  if (!store_.load(&h) || h.magic != kRetainedMagic || h.check != headerCheck(h) || h.capacity != capacity_ ||
      h.head >= capacity_ || h.size > capacity_ || h.nextSeq == 0) {
    ring.clear();
    counter_ = RetainedCounter{0, 0};
    return Restored::Nothing;
  }
  counter_ = RetainedCounter{(static_cast<uint64_t>(h.counterHigh) << 32) | h.counterLow, h.counterPart};
  out->bootId = h.bootId;
  out->nextSeq = h.nextSeq;
  out->missed = h.missed;
  out->resets = h.resets;
  out->aliveMs = h.aliveMs;
  ring.restore(h.head, h.size);
  for (uint16_t i = 0; i < ring.size(); ++i) {
    uint16_t p = ring.physical(i);
    if (checks_[p] != slotCheck(p) || slots_[p].seq == 0 || slots_[p].seq >= h.nextSeq) {
      ring.clear();
      return Restored::BootOnly;
    }
  }
  return Restored::Everything;
}

void Retention::save(const ReadingRing& ring, const RetainedSession& s) {
  RetainedHeader h;
  memset(&h, 0, sizeof h);
  h.magic = kRetainedMagic;
  h.capacity = capacity_;
  h.head = ring.head();
  h.size = ring.size();
  h.resets = s.resets;
  h.bootId = s.bootId;
  h.nextSeq = s.nextSeq;
  h.missed = s.missed;
  h.aliveMs = s.aliveMs;
  h.counterLow = static_cast<uint32_t>(counter_.whole);
  h.counterHigh = static_cast<uint32_t>(counter_.whole >> 32);
  h.counterPart = counter_.part;
  h.check = headerCheck(h);
  store_.save(h);
}

void Retention::sealSlot(const ReadingRing& ring, uint16_t i) {
  uint16_t p = ring.physical(i);
  checks_[p] = slotCheck(p);
}

void Retention::forget() {
  counter_ = RetainedCounter{0, 0};
  RetainedHeader h;
  memset(&h, 0, sizeof h);
  store_.save(h);
}

}  // namespace sheetlog
