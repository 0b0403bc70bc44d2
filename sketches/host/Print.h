// Host shim: Arduino's Print interface (text output to Serial, sockets ...).
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "Printable.h"

#define DEC 10
#define HEX 16
#define OCT 8
#define BIN 2

class __FlashStringHelper;  // F("...") strings; plain char arrays on the host

class Print {
 public:
  virtual ~Print() {}
  virtual size_t write(uint8_t c) = 0;
  virtual size_t write(const uint8_t* buf, size_t size);
  size_t write(const char* s) { return s == nullptr ? 0 : write(reinterpret_cast<const uint8_t*>(s), strlen(s)); }
  size_t write(const char* buf, size_t size) { return write(reinterpret_cast<const uint8_t*>(buf), size); }
  virtual int availableForWrite() { return 0; }
  virtual void flush() {}

  size_t print(const __FlashStringHelper* s);
  size_t print(const char* s) { return write(s); }
  size_t print(char c) { return write(static_cast<uint8_t>(c)); }
  size_t print(int n, int base = DEC) { return print(static_cast<long long>(n), base); }
  size_t print(unsigned int n, int base = DEC) { return print(static_cast<unsigned long long>(n), base); }
  size_t print(long n, int base = DEC) { return print(static_cast<long long>(n), base); }
  size_t print(unsigned long n, int base = DEC) { return print(static_cast<unsigned long long>(n), base); }
  size_t print(long long n, int base = DEC);
  size_t print(unsigned long long n, int base = DEC);
  size_t print(double n, int digits = 2);
  size_t print(const Printable& x) { return x.printTo(*this); }

  size_t println() { return write("\r\n"); }
  template <typename T>
  size_t println(const T& x) {
    size_t n = print(x);
    return n + println();
  }
  template <typename T>
  size_t println(const T& x, int format) {
    size_t n = print(x, format);
    return n + println();
  }
};
