// SecBuffer lists in plain C++ types: what goes into a handshake call and what comes out of it.
#pragma once
#include <cstdint>
#include <vector>

#include "live_counters.h"
#include "windows_sspi.h"

namespace sspi {

using Bytes = std::vector<uint8_t>;

// A buffer the caller supplies; its bytes are copied so SSPI may rewrite them in place.
struct InputBuffer {
  unsigned long type = SECBUFFER_EMPTY;
  Bytes data;
};

// An output buffer to prepare: with ISC_REQ_ALLOCATE_MEMORY SSPI allocates it and `size` is ignored.
struct OutputSpec {
  unsigned long type = SECBUFFER_TOKEN;
  unsigned long size = 0;
};

// A buffer as the call left it: its type (EMPTY may have become EXTRA or MISSING), its byte count,
// and its bytes where it has any. For EXTRA the bytes are the unconsumed tail of the input token.
struct BufferResult {
  unsigned long type = SECBUFFER_EMPTY;
  unsigned long size = 0;
  bool hasData = false;
  Bytes data;
};

// Memory SSPI allocated (ISC_REQ_ALLOCATE_MEMORY output, attribute strings), freed on destruction.
class ContextBuffer {
 public:
  explicit ContextBuffer(void* memory) : memory_(memory), live_(Live().contextBuffers) {}
  ~ContextBuffer() {
    if (memory_ != nullptr) FreeContextBuffer(memory_);
  }
  ContextBuffer(const ContextBuffer&) = delete;
  ContextBuffer& operator=(const ContextBuffer&) = delete;

 private:
  void* memory_;
  LiveToken live_;
};

// Owns the storage behind a SecBufferDesc built from InputBuffers, and reads it back after a call.
class InputBufferList {
 public:
  explicit InputBufferList(std::vector<InputBuffer> buffers);
  SecBufferDesc* desc() { return buffers_.empty() ? nullptr : &desc_; }
  std::vector<BufferResult> Results() const;

 private:
  std::vector<InputBuffer> storage_;
  std::vector<SecBuffer> buffers_;
  SecBufferDesc desc_{};
};

// Prepares output SecBuffers and copies out whatever SSPI wrote, freeing what it allocated.
class OutputBufferList {
 public:
  OutputBufferList(const std::vector<OutputSpec>& specs, bool sspiAllocates);
  ~OutputBufferList();
  OutputBufferList(const OutputBufferList&) = delete;
  OutputBufferList& operator=(const OutputBufferList&) = delete;
  SecBufferDesc* desc() { return buffers_.empty() ? nullptr : &desc_; }
  // Copies the results out and releases SSPI's memory; safe to call once, also after a failure.
  std::vector<BufferResult> TakeResults();

 private:
  bool sspiAllocates_;
  std::vector<Bytes> storage_;
  std::vector<SecBuffer> buffers_;
  SecBufferDesc desc_{};
  bool taken_ = false;
  void FreeSspiMemory();
};

}  // namespace sspi
