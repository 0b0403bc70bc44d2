// Decimal text for numbers that printf cannot be trusted with on boards: newlib-nano (SAMD) has no
// %llu/%lld and no float conversions unless linked in specially, so 64-bit values and fixed-point
// decimals are formatted here. Every function writes a NUL-terminated string and returns its
// length, or 0 when it does not fit in `cap` bytes (the buffer then holds "").
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace sheetlog {

size_t formatU64(char* out, size_t cap, uint64_t value);
size_t formatI64(char* out, size_t cap, int64_t value);

// value / 10^decimals with exactly `decimals` digits after the point: (12345, 3) -> "12.345",
// (-5, 2) -> "-0.05". decimals <= 9.
size_t formatScaled(char* out, size_t cap, int64_t scaled, uint8_t decimals);

// A float rounded to `decimals` (<= 6) digits. Returns 0 for NaN, infinities and values whose
// scaled form does not fit in 64 bits: the protocol only accepts finite numbers.
size_t formatFixed(char* out, size_t cap, float value, uint8_t decimals);

// Parses a run of decimal digits at *p, advancing *p past them. Fails on no digits or overflow.
bool parseU32(const char** p, uint32_t* out);
bool parseU64(const char** p, uint64_t* out);

}  // namespace sheetlog
