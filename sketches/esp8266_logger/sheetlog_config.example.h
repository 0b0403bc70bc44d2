// Settings of esp8266_logger. Copy this file to sheetlog_config.h (ignored by git) and fill it
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

// 1: connect with TLS (BearSSL) to port 8490. The board must know the gateway's certificate:
// define TLS_FINGERPRINT (the output of `sheetlog tls fingerprint --sha1`), or
// TLS_CA (a PEM trust anchor: the gateway's <data>/tls/cert.pem or the CA that signed its
// certificate; the board then takes the time from SNTP_SERVER first, to check the dates).
// TLS costs about 12.5 KB of heap (6.2 KB from start, the rest while connected; docs/SKETCHES.md).
#ifndef GATEWAY_TLS
#define GATEWAY_TLS 0
#endif
// #define TLS_FINGERPRINT "4F:0A:...:9C"
// #define TLS_CA "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
// TLS record buffers (512-4096): 512 unless the gateway sits behind a proxy that cannot
// negotiate small records.
#ifndef TLS_BUFFER
#define TLS_BUFFER 512
#endif
#ifndef SNTP_SERVER
#define SNTP_SERVER "pool.ntp.org"
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
#define DEVICE_ID "esp8266-1"
#endif
#ifndef DEVICE_TOKEN
#define DEVICE_TOKEN "change-me-esp8266-1"
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

// The core's connect() and write() give up after this (WiFiClient::setTimeout; the core's
// default is 5 s): a stuck connection costs at most one such wait per loop() pass.
#ifndef NET_TIMEOUT_MS
#define NET_TIMEOUT_MS 3000
#endif

// The ESP8266 core's own software watchdog (about 3.2 s, over the hardware one of about 8 s)
// resets the board when loop() stops coming round; this value is ignored by the core.
#ifndef WATCHDOG_MS
#define WATCHDOG_MS 3200
#endif
