#include "IPAddress.h"

#include <stdio.h>

#include "Print.h"

bool IPAddress::fromString(const char* text) {
  unsigned a, b, c, d;
  char extra;
  if (sscanf(text, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 255 || b > 255 || c > 255 || d > 255) {
    return false;
  }
  bytes_[0] = static_cast<uint8_t>(a);
  bytes_[1] = static_cast<uint8_t>(b);
  bytes_[2] = static_cast<uint8_t>(c);
  bytes_[3] = static_cast<uint8_t>(d);
  return true;
}

void IPAddress::format(char* out, size_t cap) const {
  snprintf(out, cap, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
}

size_t IPAddress::printTo(Print& p) const {
  char buf[16];
  format(buf, sizeof buf);
  return p.print(buf);
}
