// Settings of esp8266_mqtt_logger. Copy this file to config.h (ignored by git) and fill it in; the
// sketch uses config.h when it exists, otherwise this file. Each value may also come from a
// compiler flag (-DSAMPLE_PERIOD_MS=1000), which the host tests use.
#pragma once

#ifndef WIFI_SSID
#define WIFI_SSID "your-network"
#endif
#ifndef WIFI_PASSWORD
#define WIFI_PASSWORD "your-password"
#endif

// The MQTT broker the gateway reads (Mosquitto, EMQX, or the gateway's embedded broker).
#ifndef MQTT_HOST
#define MQTT_HOST "192.168.1.10"
#endif
#ifndef MQTT_PORT
#define MQTT_PORT 1883
#endif

// Device id: 1-64 of A-Z a-z 0-9 _ . -   Token: 1-128 of those and ~ + / =
// The MQTT client id and user name are the device id, the password is the token. Keep both short:
// the HELLO message must fit PubSubClient's 256-byte packet buffer with its topic.
#ifndef DEVICE_ID
#define DEVICE_ID "esp8266-mqtt-1"
#endif
#ifndef DEVICE_TOKEN
#define DEVICE_TOKEN "change-me-esp8266-mqtt-1"
#endif

// One reading every SAMPLE_PERIOD_MS milliseconds.
#ifndef SAMPLE_PERIOD_MS
#define SAMPLE_PERIOD_MS 10000
#endif

// With QoS 0 a message can be lost: when the gateway answers nothing for this long, the board
// sends HELLO again and resends what the HELLO OK does not cover.
#ifndef REPLY_TIMEOUT_MS
#define REPLY_TIMEOUT_MS 15000
#endif

// Reconnect backoff: jittered, doubling from BACKOFF_BASE_MS up to BACKOFF_MAX_MS.
#ifndef BACKOFF_BASE_MS
#define BACKOFF_BASE_MS 500
#endif
#ifndef BACKOFF_MAX_MS
#define BACKOFF_MAX_MS 30000
#endif
