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
//   --hang-line N            SHEETLOG_HOST_HANG_LINE    the Nth line the board writes never returns
//                                                        from write() (an ATWINC1500 lock-up): only
//                                                        the watchdog gets the board out
//   --winc-roots FILE        SHEETLOG_HOST_WINC_ROOTS   PEM certificates in the emulated ATWINC1500's
//                                                        root store (what the firmware updater
//                                                        uploads): WiFiSSLClient trusts these
//   --join-ms MS             SHEETLOG_HOST_JOIN_MS      how long WiFi101's begin() takes to join
//                                                        when the network is in range (default 0)
//
// Emulated resets: when the sketch's watchdog fires (HostBoard) or it restarts itself, the harness
// prints "host: reset (<cause>)", saves the SHEETLOG_NOINIT section (the board's .noinit RAM, and
// the ESP8266's RTC user memory) and executes itself again with --after-reset CAUSE --retained
// FILE: the same process id and pipes, millis() from 0, that memory back in place before setup(),
// every other variable initialised afresh. The one-shot faults (--clock-start, --wifi-up-after,
// --drop-at, --lose-line, --hang-line) do not apply again after a reset.
//
// stdin lines starting with "!host " are commands, every other line is typed on Serial:
//   !host drop               drop every open connection now (RST: data in flight is lost)
//   !host wifi off|on        Wi-Fi goes out of range / comes back (open connections drop)
//   !host refuse on|off      connect() fails while on
//   !host gateway HOST:PORT  retarget connections (the gateway restarted on another port)
//   !host advance MS         move the clock forward, at most an hour per loop() pass (as if the
//                            board had run that long: its loop keeps up with the time)
//   !host hang               the next line written never returns (as --hang-line)
//   !host power-cycle        a reset that loses RAM (power-on)
//   !host exit               exit(0)
//
// The harness reports on stdout with lines starting "host: ".
#pragma once
#include <stdint.h>

namespace host {

// Parses options, starts the clock, prints the "host: clock ..." banner.
void configure(int argc, char** argv);
// Called by main() before every loop(): stdin commands, scheduled faults, `advance` steps.
void service();
// Called inside a blocking library call (loop() is not running): stdin commands, scheduled
// faults and the watchdog, but the clock only moves as the call itself moves it.
void serviceWhileBlocked();
// Inside a call that blocks in board time (WiFi101's begin()): moves a pending `advance` one step
// on, as time that passes inside the call (the watchdog is not fed by it). Returns false when no
// advance is pending, so the caller sleeps as usual.
bool advanceWhileBlocked();

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

// The Nth line of a write: hang forever (--hang-line, `!host hang`)?
bool hangThisLine(uint32_t lineNumber);
uint32_t countLine();

// --- the emulated board: watchdog and resets (BoardHost.h) ---
extern uint32_t rtcUserMemory[128];
void watchdogStart(uint32_t periodMs);
void watchdogFeed();
// A bounded blocking call of at most maxMs is under way (0: it is over): fed meanwhile.
void watchdogAllow(uint32_t maxMs);
// The reset cause of this run, a sheetlog::ResetCause value (1 = power-on).
uint8_t resetCauseCode();
// Resets the board: saves the retained section, re-executes. Never returns.
[[noreturn]] void resetBoard(uint8_t cause);
// WiFi101 begin(): how long a join takes when in range.
uint32_t joinMs();
// The --winc-roots certificates (PEM), or nullptr: WiFiSSLClient then trusts nothing.
const char* wincRootsPem();

// --- Serial hooks ---
void onSerialLine(const char* line);

}  // namespace host
