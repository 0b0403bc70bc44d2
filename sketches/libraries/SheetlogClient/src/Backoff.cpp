#include "Backoff.h"

namespace sheetlog {

Backoff::Backoff(uint32_t baseMs, uint32_t capMs)
    : baseMs_(baseMs == 0 ? 1 : baseMs), capMs_(capMs < baseMs ? baseMs : capMs) {}

uint32_t Backoff::ceilingMs() const {
  uint32_t d = baseMs_;
  for (uint8_t i = 0; i < attempts_ && d < capMs_; ++i) {
    d = d > capMs_ / 2 ? capMs_ : d * 2;  // doubling without overflowing uint32_t
  }
  return d < capMs_ ? d : capMs_;
}

uint32_t Backoff::next(uint32_t random32) {
  uint32_t d = ceilingMs();
  if (attempts_ < 255) ++attempts_;
  uint32_t half = d / 2;
  uint32_t span = d - half;  // delay in [half, d]
  return half + random32 % (span + 1);
}

}  // namespace sheetlog
