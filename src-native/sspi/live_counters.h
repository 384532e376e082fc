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
  std::atomic<int64_t> chainContexts{0};
  std::atomic<int64_t> chainEngines{0};
};

LiveCounters& Live();

// Increments on construction and decrements once: at Release() (the handle was freed early) or
// at destruction. Embedded in each owner type, so the counters track live Windows handles.
class LiveToken {
 public:
  explicit LiveToken(std::atomic<int64_t>& counter) : counter_(&counter) { ++*counter_; }
  ~LiveToken() { Release(); }
  LiveToken(const LiveToken&) = delete;
  LiveToken& operator=(const LiveToken&) = delete;
  void Release() {
    if (counter_ != nullptr) --*counter_;
    counter_ = nullptr;
  }

 private:
  std::atomic<int64_t>* counter_;
};

}  // namespace sspi
