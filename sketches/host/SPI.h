// Host shim: SPI (WiFi101 talks to the ATWINC1500 over SPI; nothing to do on the host).
#pragma once

class SPIClass {
 public:
  void begin() {}
  void end() {}
};

inline SPIClass SPI;
