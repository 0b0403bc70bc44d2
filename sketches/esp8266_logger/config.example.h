// Settings of esp8266_logger. Copy this file to config.h (ignored by git) and fill it in; the
// sketch uses config.h when it exists, otherwise this file. Each value may also come from a
// compiler flag (-DSAMPLE_PERIOD_MS=1000), which the host tests use.
#pragma once

#ifndef WIFI_SSID
#define WIFI_SSID "your-network"
#endif
#ifndef WIFI_PASSWORD
#define WIFI_PASSWORD "your-password"
#endif

// The sheetlog gateway (`sheetlog start` listens on TCP 8090).
#ifndef GATEWAY_HOST
#define GATEWAY_HOST "192.168.1.10"
#endif
#ifndef GATEWAY_PORT
#define GATEWAY_PORT 8090
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
