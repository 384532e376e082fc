#include "sec_buffers.h"

namespace sspi {

InputBufferList::InputBufferList(std::vector<InputBuffer> buffers) : storage_(std::move(buffers)) {
  buffers_.reserve(storage_.size());
  for (auto& buffer : storage_) {
    SecBuffer sb{};
    sb.BufferType = buffer.type;
    sb.cbBuffer = static_cast<unsigned long>(buffer.data.size());
    sb.pvBuffer = buffer.data.empty() ? nullptr : buffer.data.data();
    buffers_.push_back(sb);
  }
  desc_.ulVersion = SECBUFFER_VERSION;
  desc_.cBuffers = static_cast<unsigned long>(buffers_.size());
  desc_.pBuffers = buffers_.data();
}

std::vector<BufferResult> InputBufferList::Results() const {
  std::vector<BufferResult> results;
  results.reserve(buffers_.size());
  // The EXTRA count refers to the tail of the first token buffer the caller passed.
  const InputBuffer* token = nullptr;
  for (const auto& buffer : storage_) {
    if (buffer.type == SECBUFFER_TOKEN || buffer.type == SECBUFFER_DATA) {
      token = &buffer;
      break;
    }
  }
  for (size_t i = 0; i < buffers_.size(); ++i) {
    const SecBuffer& sb = buffers_[i];
    BufferResult result;
    result.type = sb.BufferType & ~static_cast<unsigned long>(SECBUFFER_ATTRMASK);
    result.size = sb.cbBuffer;
    if (result.type == SECBUFFER_EXTRA && token != nullptr && sb.cbBuffer <= token->data.size()) {
      result.hasData = true;
      result.data.assign(token->data.end() - sb.cbBuffer, token->data.end());
    } else if (result.type != SECBUFFER_MISSING && result.type != SECBUFFER_EMPTY) {
      result.hasData = true;
      result.data = storage_[i].data;
      if (sb.cbBuffer < result.data.size()) result.data.resize(sb.cbBuffer);
    }
    results.push_back(std::move(result));
  }
  return results;
}

OutputBufferList::OutputBufferList(const std::vector<OutputSpec>& specs, bool sspiAllocates)
    : sspiAllocates_(sspiAllocates) {
  storage_.resize(specs.size());
  buffers_.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    SecBuffer sb{};
    sb.BufferType = specs[i].type;
    if (!sspiAllocates_ && specs[i].size > 0) {
      storage_[i].resize(specs[i].size);
      sb.cbBuffer = specs[i].size;
      sb.pvBuffer = storage_[i].data();
    }
    buffers_.push_back(sb);
  }
  desc_.ulVersion = SECBUFFER_VERSION;
  desc_.cBuffers = static_cast<unsigned long>(buffers_.size());
  desc_.pBuffers = buffers_.data();
}

OutputBufferList::~OutputBufferList() { FreeSspiMemory(); }

void OutputBufferList::FreeSspiMemory() {
  if (!sspiAllocates_) return;
  for (auto& sb : buffers_) {
    if (sb.pvBuffer != nullptr) {
      ContextBuffer owned(sb.pvBuffer);
      sb.pvBuffer = nullptr;
    }
  }
}

std::vector<BufferResult> OutputBufferList::TakeResults() {
  std::vector<BufferResult> results;
  if (taken_) return results;
  taken_ = true;
  results.reserve(buffers_.size());
  for (const auto& sb : buffers_) {
    BufferResult result;
    result.type = sb.BufferType & ~static_cast<unsigned long>(SECBUFFER_ATTRMASK);
    result.size = sb.cbBuffer;
    if (sb.pvBuffer != nullptr) {
      result.hasData = true;
      const auto* bytes = static_cast<const uint8_t*>(sb.pvBuffer);
      result.data.assign(bytes, bytes + sb.cbBuffer);
    }
    results.push_back(std::move(result));
  }
  FreeSspiMemory();
  return results;
}

}  // namespace sspi
