#include "live_counters.h"

namespace sspi {

LiveCounters& Live() {
  static LiveCounters counters;
  return counters;
}

}  // namespace sspi
