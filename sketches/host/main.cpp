// Host shim: runs a sketch like a board does, setup() once then loop() forever, with the
// harness's controls (HostControl.h) serviced between loops.
#include <time.h>

#include "Arduino.h"
#include "HostControl.h"

int main(int argc, char** argv) {
  host::configure(argc, argv);
  setup();
  for (;;) {
    host::service();
    loop();
    // A board's loop() runs flat out; here one pass per millisecond keeps a 2-core machine free
    // for the gateway without changing what the sketch observes (its timers use millis()).
    timespec pause = {0, 1000000};
    nanosleep(&pause, nullptr);
  }
}
