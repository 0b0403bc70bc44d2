// Host shim: Serial. Output goes to stdout (flushed per line so a test sees it at once); input is
// what the harness types (stdin lines that are not "!host" commands).
#pragma once
#include <string>

#include "Stream.h"

class HostSerial : public Stream {
 public:
  void begin(unsigned long baud) { (void)baud; }
  void end() {}
  void setDebugOutput(bool) {}
  operator bool() const { return true; }

  size_t write(uint8_t c) override;
  size_t write(const uint8_t* buf, size_t size) override;
  using Print::write;
  int available() override { return static_cast<int>(rx_.size() - rxPos_); }
  int read() override;
  int peek() override;
  void flush() override;

  // Host only: bytes as if typed on the serial monitor.
  void inject(const char* text) { rx_.append(text); }

 private:
  std::string rx_;
  size_t rxPos_ = 0;
  std::string lineOut_;
};

extern HostSerial Serial;
