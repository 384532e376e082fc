// Live native handle counters: every RAII owner increments on acquire and decrements on release,
// so a test can prove that nothing SSPI or crypt32 handed out is left unfreed.
#pragma once
#include <atomic>
#include <cstdint>

namespace sspi {

struct LiveCounters {
  std::atomic<int64_t> credentials{0};
  std::atomic<int64_t> contexts{0};
  std::atomic<int64_t> certStores{0};
  std::atomic<int64_t> certContexts{0};
  std::atomic<int64_t> contextBuffers{0};
};

LiveCounters& Live();

// Increments on construction, decrements on destruction; embedded in each owner type.
class LiveToken {
 public:
  explicit LiveToken(std::atomic<int64_t>& counter) : counter_(&counter) { ++*counter_; }
  ~LiveToken() { --*counter_; }
  LiveToken(const LiveToken&) = delete;
  LiveToken& operator=(const LiveToken&) = delete;

 private:
  std::atomic<int64_t>* counter_;
};

}  // namespace sspi
