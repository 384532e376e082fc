#include "bench_loop.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace sspi {

namespace {

uint64_t Ticks() {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return static_cast<uint64_t>(now.QuadPart);
}

uint64_t TicksToNanoseconds(uint64_t ticks) {
  static const uint64_t frequency = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return static_cast<uint64_t>(f.QuadPart);
  }();
  return ticks / frequency * 1000000000ull + ticks % frequency * 1000000000ull / frequency;
}

BenchResult Fail(BenchResult result, SECURITY_STATUS status, const char* function) {
  result.status = ToStatus(status);
  result.failedFunction = function;
  return result;
}

}  // namespace

BenchResult RecordLoop(SecurityContext& sender, SecurityContext& receiver, size_t totalBytes, size_t chunkBytes) {
  BenchResult result;
  if (!sender.valid() || !receiver.valid()) return Fail(result, SEC_E_INVALID_HANDLE, "RecordLoop");
  if (chunkBytes == 0) return Fail(result, SEC_E_INVALID_PARAMETER, "RecordLoop");
  SecPkgContext_StreamSizes sizes{};
  if (Status s = sender.StreamSizes(&sizes); s != ToStatus(SEC_E_OK)) {
    return Fail(result, static_cast<SECURITY_STATUS>(s), "QueryContextAttributesW");
  }
  if (sizes.cbMaximumMessage == 0) return Fail(result, SEC_E_INTERNAL_ERROR, "QueryContextAttributesW");

  // A plaintext pattern with a little slack, so each chunk starts at a different offset and a
  // stale buffer could not pass the comparison.
  constexpr size_t kSlack = 251;
  std::vector<uint8_t> source(chunkBytes + kSlack);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<uint8_t>(i * 131 + (i >> 8));

  const size_t maxPiece = sizes.cbMaximumMessage;
  const size_t pieces = (chunkBytes + maxPiece - 1) / maxPiece;
  std::vector<uint8_t> wire(chunkBytes + pieces * (static_cast<size_t>(sizes.cbHeader) + sizes.cbTrailer));

  uint64_t encryptTicks = 0;
  uint64_t decryptTicks = 0;
  const uint64_t start = Ticks();
  for (uint64_t chunkIndex = 0; result.bytes < totalBytes; ++chunkIndex) {
    const size_t length = std::min<size_t>(chunkBytes, totalBytes - result.bytes);
    const uint8_t* plain = source.data() + chunkIndex % kSlack;

    // Encrypt the chunk into contiguous records.
    uint64_t t0 = Ticks();
    size_t written = 0;
    for (size_t offset = 0; offset < length;) {
      const size_t piece = std::min(maxPiece, length - offset);
      uint8_t* record = wire.data() + written;
      std::memcpy(record + sizes.cbHeader, plain + offset, piece);
      SecBuffer buffers[4] = {};
      buffers[0] = {sizes.cbHeader, SECBUFFER_STREAM_HEADER, record};
      buffers[1] = {static_cast<unsigned long>(piece), SECBUFFER_DATA, record + sizes.cbHeader};
      buffers[2] = {sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record + sizes.cbHeader + piece};
      buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
      SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
      SECURITY_STATUS status = EncryptMessage(sender.handle(), 0, &desc, 0);
      if (status != SEC_E_OK) return Fail(result, status, "EncryptMessage");
      uint8_t* cursor = record + buffers[0].cbBuffer;
      if (cursor != buffers[1].pvBuffer) std::memmove(cursor, buffers[1].pvBuffer, buffers[1].cbBuffer);
      cursor += buffers[1].cbBuffer;
      if (cursor != buffers[2].pvBuffer) std::memmove(cursor, buffers[2].pvBuffer, buffers[2].cbBuffer);
      cursor += buffers[2].cbBuffer;
      written += static_cast<size_t>(cursor - record);
      offset += piece;
      ++result.records;
    }
    uint64_t t1 = Ticks();
    encryptTicks += t1 - t0;

    // Decrypt them in place, one record per call, following SECBUFFER_EXTRA.
    uint8_t* next = wire.data();
    size_t remaining = written;
    size_t checked = 0;
    while (remaining > 0) {
      SecBuffer buffers[4] = {};
      buffers[0] = {static_cast<unsigned long>(remaining), SECBUFFER_DATA, next};
      buffers[1] = {0, SECBUFFER_EMPTY, nullptr};
      buffers[2] = {0, SECBUFFER_EMPTY, nullptr};
      buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
      SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
      SECURITY_STATUS status = DecryptMessage(receiver.handle(), &desc, 0, nullptr);
      if (status != SEC_E_OK) return Fail(result, status, "DecryptMessage");
      const SecBuffer* data = nullptr;
      size_t extra = 0;
      for (const auto& buffer : buffers) {
        if (buffer.BufferType == SECBUFFER_DATA) data = &buffer;
        if (buffer.BufferType == SECBUFFER_EXTRA) extra = buffer.cbBuffer;
      }
      if (data == nullptr || extra >= remaining || checked + data->cbBuffer > length ||
          std::memcmp(data->pvBuffer, plain + checked, data->cbBuffer) != 0) {
        return Fail(result, SEC_E_MESSAGE_ALTERED, "RecordLoop (plaintext check)");
      }
      checked += data->cbBuffer;
      next += remaining - extra;
      remaining = extra;
    }
    decryptTicks += Ticks() - t1;
    if (checked != length) return Fail(result, SEC_E_MESSAGE_ALTERED, "RecordLoop (plaintext check)");
    result.bytes += length;
  }
  result.nanoseconds = TicksToNanoseconds(Ticks() - start);
  result.encryptNanoseconds = TicksToNanoseconds(encryptTicks);
  result.decryptNanoseconds = TicksToNanoseconds(decryptTicks);
  result.status = ToStatus(SEC_E_OK);
  return result;
}

}  // namespace sspi
