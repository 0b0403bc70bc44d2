// Host shim: an IPv4 address, printable.
#pragma once
#include <stdint.h>

#include "Printable.h"

class IPAddress : public Printable {
 public:
  IPAddress() : IPAddress(0, 0, 0, 0) {}
  IPAddress(uint8_t a, uint8_t b, uint8_t c, uint8_t d) : bytes_{a, b, c, d} {}
  uint8_t operator[](int i) const { return bytes_[i & 3]; }
  bool fromString(const char* text);
  size_t printTo(Print& p) const override;
  // dotted quad into `out` (at least 16 bytes)
  void format(char* out, size_t cap) const;

 private:
  uint8_t bytes_[4];
};
