// Host shim: the test harness's controls over a running sketch.
//
// Options (argv wins over the environment):
//   --gateway HOST:PORT      SHEETLOG_HOST_GATEWAY      connect here whatever the sketch's config says
//   --clock-start MS         SHEETLOG_HOST_CLOCK_START  millis() at start (e.g. 4294965000: wraps soon)
//   --speed X                SHEETLOG_HOST_SPEED        virtual ms per real ms (default 1)
//   --readings N             SHEETLOG_HOST_READINGS     after the sketch logs "sample seq=N", type
//                                                        "pause" on its serial console
//   --wifi-up-after MS       SHEETLOG_HOST_WIFI_UP_AFTER Wi-Fi is out of range for the first MS
//   --drop-at MS[,MS...]     SHEETLOG_HOST_DROP_AT      drop every open connection at these
//                                                        virtual times (ms after start)
//   --lose-line N[,N...]     SHEETLOG_HOST_LOSE_LINE    the Nth line the board writes (counted over
//                                                        the run) is lost with its connection: the
//                                                        write succeeds, the link resets, nothing
//                                                        of that line reaches the gateway
//   --refuse                 SHEETLOG_HOST_REFUSE=1      connects fail until `!host refuse off`
//   --exit-on-stdin-eof      SHEETLOG_HOST_EXIT_ON_EOF=1 exit when stdin closes (the parent died)
//
// stdin lines starting with "!host " are commands, every other line is typed on Serial:
//   !host drop               drop every open connection now (RST: data in flight is lost)
//   !host wifi off|on        Wi-Fi goes out of range / comes back (open connections drop)
//   !host refuse on|off      connect() fails while on
//   !host gateway HOST:PORT  retarget connections (the gateway restarted on another port)
//   !host advance MS         jump the clock forward
//   !host exit               exit(0)
//
// The harness reports on stdout with lines starting "host: ".
#pragma once
#include <stdint.h>

namespace host {

// Parses options, starts the clock, prints the "host: clock ..." banner.
void configure(int argc, char** argv);
// Called by main() before every loop(): stdin commands, scheduled faults.
void service();

// --- network state, used by the WiFi and WiFiClient shims ---
bool wifiInRange();
bool connectsRefused();
// Bumped by every drop; a socket opened under an older generation is dead.
uint32_t linkGeneration();
void dropLinks(const char* why);
// Called for every line a socket writes: true means "lose it and reset the link" (--lose-line).
bool loseThisLine();
// The --gateway / `!host gateway` target, or nullptr to use what the sketch asked for.
const char* gatewayHost();
uint16_t gatewayPort();

// --- Serial hooks ---
void onSerialLine(const char* line);

}  // namespace host
