#include "Print.h"

#include <stdio.h>

size_t Print::write(const uint8_t* buf, size_t size) {
  size_t n = 0;
  while (size-- > 0 && write(*buf++) == 1) ++n;
  return n;
}

size_t Print::print(const __FlashStringHelper* s) { return write(reinterpret_cast<const char*>(s)); }

size_t Print::print(unsigned long long n, int base) {
  if (base < 2 || base > 16) base = 10;
  char buf[66];
  size_t i = sizeof buf;
  buf[--i] = '\0';
  do {
    buf[--i] = "0123456789ABCDEF"[n % static_cast<unsigned>(base)];
    n /= static_cast<unsigned>(base);
  } while (n != 0);
  return write(buf + i);
}

size_t Print::print(long long n, int base) {
  if (n >= 0 || base != 10) return print(static_cast<unsigned long long>(n), base);
  size_t k = print('-');
  return k + print(static_cast<unsigned long long>(-(n + 1)) + 1, base);
}

size_t Print::print(double n, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", digits, n);
  return write(buf);
}
