// The board-specific parts the sketches share: the hardware watchdog, why the chip last reset,
// where the retained header lives, a restart. One class per chip, chosen by the core's
// architecture macro; `sheetlog::Board` is the one for this build.
//
//   Board::startWatchdog(ms)   a reset when feed() is not called for ms (rounded up to the hardware)
//   Board::feed()              called once per loop() pass, after the pass did its work
//   Board::allowBlocking(ms)   a library call known to block at most ms, longer than the watchdog
//   Board::blockingDone()      period (WiFi101's connect: 20 s; its DNS: 20 s), is under way
//   Board::resetCause()        ResetCause.h
//   Board::headerStore(ram)    where the Retained.h header is kept (RAM next to the slots, or RTC)
#pragma once
#include <stdint.h>

#include "BlockingCalls.h"
#include "ResetCause.h"
#include "Retained.h"

#if defined(ARDUINO_ARCH_SAMD)
#include "BoardSamd.h"
namespace sheetlog {
typedef SamdBoard Board;
}
#elif defined(ARDUINO_ARCH_ESP8266) || defined(SHEETLOG_HOST_ESP8266)
#include "BoardEsp8266.h"
namespace sheetlog {
typedef Esp8266Board Board;
}
#elif defined(SHEETLOG_HOST)
#include "BoardHost.h"
namespace sheetlog {
typedef HostBoard Board;
}
#else
#error "sheetlog: no watchdog support for this board (Board.h knows SAMD21, ESP8266 and the host shim); SheetlogClient.h alone works on any board"
#endif
