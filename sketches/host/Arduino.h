// Host shim: the part of the Arduino API the sheetlog sketches use, for compiling and running
// them unchanged on Linux (g++). Written for sheetlog from the public API documentation; no
// Arduino core code. Time comes from a controllable clock (HostClock.h), Serial is stdout.
//
// Deliberate board-like behaviour: millis() returns a value that wraps at 2^32 like on the boards,
// although `unsigned long` is 64-bit here. Code that does millis arithmetic in `unsigned long`
// therefore breaks on the host at the wrap, exactly where it would be wrong on a board.
#pragma once
// Library code that needs the emulated board (sheetlog's Board.h) tests this.
#define SHEETLOG_HOST 1
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t byte;
typedef bool boolean;

#define HIGH 0x1
#define LOW 0x0
#define INPUT 0x0
#define OUTPUT 0x1
#define INPUT_PULLUP 0x2

#define PROGMEM
#define F(literal) (reinterpret_cast<const __FlashStringHelper*>(literal))

// Analog pin numbers as on a Feather M0 (A0 = 14); an ESP8266 has only A0.
static const uint8_t A0 = 14, A1 = 15, A2 = 16, A3 = 17, A4 = 18, A5 = 19;
static const uint8_t LED_BUILTIN = 13;

unsigned long millis();
unsigned long micros();
void delay(unsigned long ms);
void delayMicroseconds(unsigned int us);
void yield();

long random(long howBig);
long random(long howSmall, long howBig);
void randomSeed(unsigned long seed);

void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
int digitalRead(uint8_t pin);
int analogRead(uint8_t pin);
void analogReadResolution(int bits);

#include "HostSerial.h"
#include "Print.h"
#include "Stream.h"

// The sketch provides these; the host main() calls them.
void setup();
void loop();
