#include "Decimal.h"

namespace sheetlog {

namespace {

size_t fail(char* out, size_t cap) {
  if (cap > 0) out[0] = '\0';
  return 0;
}

// Writes the digits of `value` followed by NUL starting at out[0]; `minDigits` pads with zeros.
size_t writeDigits(char* out, size_t cap, uint64_t value, uint8_t minDigits) {
  char tmp[21];
  uint8_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n < minDigits && n < sizeof tmp) tmp[n++] = '0';
  if (static_cast<size_t>(n) + 1 > cap) return fail(out, cap);
  for (uint8_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
  return n;
}

uint64_t magnitude(int64_t v) {
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

}  // namespace

size_t formatU64(char* out, size_t cap, uint64_t value) { return writeDigits(out, cap, value, 1); }

size_t formatI64(char* out, size_t cap, int64_t value) {
  if (value >= 0) return writeDigits(out, cap, static_cast<uint64_t>(value), 1);
  if (cap < 2) return fail(out, cap);
  out[0] = '-';
  size_t n = writeDigits(out + 1, cap - 1, magnitude(value), 1);
  return n == 0 ? fail(out, cap) : n + 1;
}

size_t formatScaled(char* out, size_t cap, int64_t scaled, uint8_t decimals) {
  if (decimals > 9) return fail(out, cap);
  uint64_t pow10 = 1;
  for (uint8_t i = 0; i < decimals; ++i) pow10 *= 10;
  uint64_t mag = magnitude(scaled);
  size_t pos = 0;
  if (scaled < 0) {
    if (cap < 2) return fail(out, cap);
    out[pos++] = '-';
  }
  size_t n = writeDigits(out + pos, cap - pos, mag / pow10, 1);
  if (n == 0) return fail(out, cap);
  pos += n;
  if (decimals == 0) return pos;
  if (pos + 1 >= cap) return fail(out, cap);
  out[pos++] = '.';
  n = writeDigits(out + pos, cap - pos, mag % pow10, decimals);
  if (n == 0) return fail(out, cap);
  return pos + n;
}

size_t formatFixed(char* out, size_t cap, float value, uint8_t decimals) {
  if (decimals > 6 || value != value) return fail(out, cap);  // NaN != NaN
  double scaled = static_cast<double>(value);
  for (uint8_t i = 0; i < decimals; ++i) scaled *= 10.0;
  if (!(scaled < 9.0e18 && scaled > -9.0e18)) return fail(out, cap);  // also rejects infinities
  scaled += scaled < 0 ? -0.5 : 0.5;  // round half away from zero
  return formatScaled(out, cap, static_cast<int64_t>(scaled), decimals);
}

bool parseU64(const char** p, uint64_t* out) {
  const char* s = *p;
  uint64_t v = 0;
  if (*s < '0' || *s > '9') return false;
  for (; *s >= '0' && *s <= '9'; ++s) {
    uint64_t d = static_cast<uint64_t>(*s - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *p = s;
  *out = v;
  return true;
}

bool parseU32(const char** p, uint32_t* out) {
  const char* s = *p;
  uint64_t v = 0;
  if (!parseU64(&s, &v) || v > UINT32_MAX) return false;
  *p = s;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace sheetlog
