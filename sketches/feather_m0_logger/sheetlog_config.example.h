// Settings of feather_m0_logger. Copy this file to sheetlog_config.h (ignored by git) and fill it
// in; the sketch uses sheetlog_config.h when it exists, otherwise this file. (Not config.h: the
// ESP8266 toolchain ships a config.h of its own, which __has_include would find first.) Each value may also come from a
// compiler flag (-DSAMPLE_PERIOD_MS=1000), which the host tests use.
#pragma once

#ifndef WIFI_SSID
#define WIFI_SSID "your-network"
#endif
#ifndef WIFI_PASSWORD
#define WIFI_PASSWORD "your-password"
#endif

// The sheetlog gateway (`sheetlog start` listens on TCP 8090, and with tcp.tls.enabled on 8490
// over TLS).
#ifndef GATEWAY_HOST
#define GATEWAY_HOST "192.168.1.10"
#endif

// 1: connect with TLS (WiFi101's WiFiSSLClient: the ATWINC1500 does TLS itself) to port 8490.
// The gateway needs an RSA certificate (the chip has no ECDSA), and that certificate must be
// uploaded to the chip's root store with the firmware/certificate updater (docs/SKETCHES.md, TLS).
// Costs no SAMD21 RAM.
#ifndef GATEWAY_TLS
#define GATEWAY_TLS 0
#endif

#ifndef GATEWAY_PORT
#if GATEWAY_TLS
#define GATEWAY_PORT 8490
#else
#define GATEWAY_PORT 8090
#endif
#endif

// Device id: 1-64 of A-Z a-z 0-9 _ . -   Token: 1-128 of those and ~ + / =
// With the gateway's default auth (trust on first use) the first token a device id presents
// becomes its token.
#ifndef DEVICE_ID
#define DEVICE_ID "feather-1"
#endif
#ifndef DEVICE_TOKEN
#define DEVICE_TOKEN "change-me-feather-1"
#endif

// One reading every SAMPLE_PERIOD_MS milliseconds.
#ifndef SAMPLE_PERIOD_MS
#define SAMPLE_PERIOD_MS 10000
#endif

// Reconnect backoff: jittered, doubling from BACKOFF_BASE_MS up to BACKOFF_MAX_MS.
#ifndef BACKOFF_BASE_MS
#define BACKOFF_BASE_MS 500
#endif
#ifndef BACKOFF_MAX_MS
#define BACKOFF_MAX_MS 30000
#endif

// WiFi101's begin() blocks until joined or this timeout (the library's default is 60 s). The
// reading of a period is taken before a join attempt, so the next one is at most this late: keep
// it below SAMPLE_PERIOD_MS and no period is ever skipped (a skipped one is counted: HELLO missed=).
#ifndef WIFI_JOIN_TIMEOUT_MS
#define WIFI_JOIN_TIMEOUT_MS 8000
#endif

// Failed joins are retried with jittered backoff from 1 s up to this.
#ifndef WIFI_RETRY_MAX_MS
#define WIFI_RETRY_MAX_MS 60000
#endif

// The SAMD21 watchdog resets the board when loop() stops coming round for this long (a locked-up
// ATWINC1500); rounded up to a power of two of 1/1024 s, at most 16 s. Readings survive it.
#ifndef WATCHDOG_MS
#define WATCHDOG_MS 16000
#endif
