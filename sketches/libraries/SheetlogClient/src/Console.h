// Line commands typed on the serial monitor ("status", "pause", "resume"). Reads what is
// available without waiting and returns a complete line when one is there.
#pragma once
#include <Arduino.h>
#include <Stream.h>
#include <stdio.h>
#include <string.h>

#include "LineReader.h"

namespace sheetlog {

class Console {
 public:
  explicit Console(Stream& in) : in_(in) {}

  // Serves the sketches' commands: "status" prints the client's state; "pause" and "resume" stop
  // and restart sampling; anything else prints the list. Works with either client (TCP or MQTT).
  template <class Client>
  void serve(Client& client, bool& sampling, Print& out) {
    const char* cmd = poll();
    if (cmd == nullptr) return;
    if (strcmp(cmd, "status") == 0) {
      client.printStatus(out);
    } else if (strcmp(cmd, "pause") == 0) {
      sampling = false;
      out.println(F("sampling paused"));
    } else if (strcmp(cmd, "resume") == 0) {
      sampling = true;
      out.println(F("sampling resumed"));
    } else {
      out.println(F("commands: status, pause, resume"));
    }
  }

  // The next complete command line, or nullptr. Valid until the next call.
  const char* poll() {
    while (in_.available() > 0) {
      int c = in_.read();
      if (c < 0) break;
      if (line_.feed(static_cast<char>(c))) return line_.line();
    }
    return nullptr;
  }

 private:
  Stream& in_;
  LineBuffer<32> line_;
};

// The serial log line of a reading just buffered: "sample seq=<n> ms=<millis> <fields>".
inline void printSample(Print& out, uint32_t seq, uint32_t now, const char* fields) {
  char line[96];
  snprintf(line, sizeof line, "sample seq=%lu ms=%lu %s", static_cast<unsigned long>(seq),
           static_cast<unsigned long>(now), fields);
  out.println(line);
}

}  // namespace sheetlog
