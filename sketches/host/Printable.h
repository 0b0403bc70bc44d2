// Host shim: objects that know how to print themselves (IPAddress).
#pragma once
#include <stddef.h>

class Print;

class Printable {
 public:
  virtual ~Printable() {}
  virtual size_t printTo(Print& p) const = 0;
};
