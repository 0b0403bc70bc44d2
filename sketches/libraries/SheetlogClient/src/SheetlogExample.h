// What the example sketches share (sketches/*/): the console, the simulated energy meter, sampling
// on a fixed cadence that never waits for the radio, the watchdog feed, and the readings and the
// energy total kept across resets. A sketch keeps only what differs per board: its radio, its
// pins, its entropy.
//
//   static sheetlog::RetainedSlots<150> retained SHEETLOG_NOINIT;   // survives resets that keep RAM
//   static sheetlog::Board board;
//   static sheetlog::ReadingRing ring(retained.slots, 150);
//   static sheetlog::Retention retention(retained, board.headerStore(&retained.header));
//   static sheetlog::SheetlogClient client(net, ring, ...);
//   static sheetlog::ExampleLogger<sheetlog::SheetlogClient> logger(client, board, retention, SAMPLE_PERIOD_MS);
//   setup(): logger.begin(bootEntropy(), WATCHDOG_MS);
//   loop():  logger.sample(sensors); <keep the radio up>; logger.service(WiFi.status() == WL_CONNECTED);
#pragma once
#include <Arduino.h>
#include <stdio.h>

#include "Board.h"
#include "Console.h"
#include "EnergyCounter.h"
#include "FieldWriter.h"
#include "Periodic.h"
#include "ReadingRing.h"
#include "Retained.h"

namespace sheetlog {

// What a sketch measures (the example wiring: a TMP36 and the Wi-Fi signal).
class ExampleSensors {
 public:
  virtual float temperatureC() = 0;
  // false when there is no signal to report (not joined)
  virtual bool rssi(int32_t* dbm) = 0;

 protected:
  ~ExampleSensors() {}
};

template <class LinkClient>
class ExampleLogger {
 public:
  ExampleLogger(LinkClient& client, Board& board, Retention& retention, uint32_t samplePeriodMs)
      : client_(client), board_(board), retention_(retention), every_(samplePeriodMs), console_(Serial) {}

  // At the end of setup(), after Serial and the radio's pins (setup() may wait for the USB serial).
  void begin(uint32_t freshBootId, uint32_t watchdogMs) {
    board_.startWatchdog(watchdogMs);
    // After a watchdog reset, the reset came one watchdog period after the last feed.
    ResetCause cause = board_.resetCause();
    client_.begin(freshBootId, &Serial, cause, &retention_, cause == ResetCause::Watchdog ? board_.watchdogMs() : 0);
    // The energy total continues with the boot; a new boot starts it at 0 (Retention::counter()).
    const RetainedCounter& kept = retention_.counter();
    energy_.resume(kept.whole, kept.part);
  }

  // First in loop(): the console, the energy meter, and the reading when its period is due. A
  // late period (the radio blocked the previous pass) is taken at once, stamped with its true time;
  // periods that passed entirely are counted (HELLO missed=).
  void sample(ExampleSensors& sensors) {
    bool was = sampling_;
    console_.serve(client_, sampling_, Serial);
    if (sampling_ && !was) every_.restart();  // a pause is not a miss
    uint32_t now = static_cast<uint32_t>(millis());
    energy_.addPower(demoHeaterMilliwatts(now), now);
    // Kept with the next header save: the reading's own (add()), or this pass's alive().
    retention_.keepCounter(RetainedCounter{static_cast<uint64_t>(energy_.milliWattHours()), energy_.remainder()});
    if (!sampling_ || !every_.due(now)) return;
    client_.noteMissed(every_.takeMissed());
    takeReading(sensors, now);
  }

  // Last in loop(): the link, then the watchdog feed: only a pass that got here feeds it.
  void service(bool networkUp) {
    client_.loop(networkUp);
    board_.feed();
    client_.alive(static_cast<uint32_t>(millis()));
  }

  Board& board() { return board_; }

 private:
  void takeReading(ExampleSensors& sensors, uint32_t now) {
    char fields[kFieldsCapacity];
    FieldWriter w(fields, sizeof fields);
    w.addFixed("temp_c", sensors.temperatureC(), 2).addMilli("energy_wh", energy_.milliWattHours());
    int32_t dbm = 0;
    if (sensors.rssi(&dbm)) w.addInt("rssi", dbm);
    if (!w.ok()) {
      Serial.println(F("sample skipped: fields do not fit"));
      return;
    }
    uint32_t seq = client_.add(fields);
    printSample(Serial, seq, now, fields);
  }

  LinkClient& client_;
  Board& board_;
  Retention& retention_;
  Periodic every_;
  EnergyCounter energy_;
  Console console_;
  bool sampling_ = true;
};

}  // namespace sheetlog
