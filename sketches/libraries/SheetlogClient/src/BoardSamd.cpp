// ATSAMD21 watchdog and reset cause, from the SAM D21 datasheet (sections WDT, GCLK, PM) and
// the CMSIS register definitions the Arduino SAMD core ships. Compiled only for that core.
#if defined(ARDUINO_ARCH_SAMD)
#include <Arduino.h>

#include "BoardSamd.h"

namespace {

// A bounded blocking call longer than the WDT period (allowBlocking): the early-warning
// interrupt clears the WDT until the call's bound has passed. Written by loop(), read by the ISR.
volatile bool blockingActive = false;
volatile uint32_t blockingSinceMs = 0;
volatile uint32_t blockingMaxMs = 0;

void syncWdt() {
  while (WDT->STATUS.bit.SYNCBUSY) {
  }
}

}  // namespace

extern "C" void WDT_Handler(void) {
  WDT->INTFLAG.reg = WDT_INTFLAG_EW;  // clear the early warning
  if (blockingActive && millis() - blockingSinceMs < blockingMaxMs) {
    WDT->CLEAR.reg = WDT_CLEAR_CLEAR_KEY;  // the call is still within its bound
  }
  // Otherwise nothing: the WDT resets the chip at the end of the period.
}

namespace sheetlog {

void SamdBoard::startWatchdog(uint32_t timeoutMs) {
  uint8_t per = 0;  // period = 8 << per cycles of 1.024 kHz
  while (per < 11 && (8UL << per) * 1000UL / 1024UL < timeoutMs) ++per;
  periodMs_ = (8UL << per) * 1000UL / 1024UL;
  // GCLK2 = OSCULP32K / 2^(4+1) = 1.024 kHz, routed to the WDT.
  GCLK->GENDIV.reg = GCLK_GENDIV_ID(2) | GCLK_GENDIV_DIV(4);
  GCLK->GENCTRL.reg = GCLK_GENCTRL_ID(2) | GCLK_GENCTRL_GENEN | GCLK_GENCTRL_SRC_OSCULP32K | GCLK_GENCTRL_DIVSEL;
  while (GCLK->STATUS.bit.SYNCBUSY) {
  }
  GCLK->CLKCTRL.reg = GCLK_CLKCTRL_ID_WDT | GCLK_CLKCTRL_CLKEN | GCLK_CLKCTRL_GEN_GCLK2;
  WDT->CTRL.reg = 0;
  syncWdt();
  WDT->CONFIG.reg = WDT_CONFIG_PER(per);
  // Early warning half-way through the period (EWOFFSET counts cycles as PER does).
  WDT->EWCTRL.reg = WDT_EWCTRL_EWOFFSET(per > 0 ? per - 1 : 0);
  WDT->INTFLAG.reg = WDT_INTFLAG_EW;
  WDT->INTENSET.reg = WDT_INTENSET_EW;
  NVIC_SetPriority(WDT_IRQn, 0);
  NVIC_EnableIRQ(WDT_IRQn);
  WDT->CTRL.reg = WDT_CTRL_ENABLE;
  syncWdt();
}

void SamdBoard::feed() {
  // A clear while the previous one is still synchronising (a few ms at 1 kHz) would stall
  // loop(); skip it, the next pass feeds.
  if (!WDT->STATUS.bit.SYNCBUSY) WDT->CLEAR.reg = WDT_CLEAR_CLEAR_KEY;
}

ResetCause SamdBoard::resetCause() {
  uint8_t r = PM->RCAUSE.reg;
  if (r & PM_RCAUSE_WDT) return ResetCause::Watchdog;
  if (r & PM_RCAUSE_SYST) return ResetCause::Software;
  if (r & PM_RCAUSE_EXT) return ResetCause::Pin;
  if (r & (PM_RCAUSE_BOD12 | PM_RCAUSE_BOD33)) return ResetCause::Brownout;
  if (r & PM_RCAUSE_POR) return ResetCause::PowerOn;
  return ResetCause::Unknown;
}

void SamdBoard::restart() { NVIC_SystemReset(); }

void SamdBoard::allowBlocking(uint32_t maxMs) {
  blockingSinceMs = millis();
  blockingMaxMs = maxMs;
  blockingActive = true;
}

void SamdBoard::blockingDone() { blockingActive = false; }

}  // namespace sheetlog
#endif
