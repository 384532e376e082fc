#include "stream.h"

#include <algorithm>
#include <cstring>

namespace sspi {

EncryptResult EncryptRecords(SecurityContext& context, const uint8_t* data, size_t length) {
  EncryptResult result;
  SecPkgContext_StreamSizes sizes{};
  result.status = context.StreamSizes(&sizes);
  if (result.status != SEC_E_OK || length == 0) return result;  // no data: no records
  if (sizes.cbMaximumMessage == 0) {
    result.status = ToStatus(SEC_E_INTERNAL_ERROR);
    return result;
  }

  const size_t maxPiece = sizes.cbMaximumMessage;
  const size_t pieces = (length + maxPiece - 1) / maxPiece;
  const size_t overhead = static_cast<size_t>(sizes.cbHeader) + sizes.cbTrailer;
  result.records.resize(length + pieces * overhead);

  size_t written = 0;
  size_t offset = 0;
  do {
    const size_t piece = std::min(maxPiece, length - offset);
    uint8_t* record = result.records.data() + written;
    std::memcpy(record + sizes.cbHeader, data + offset, piece);

    SecBuffer buffers[4] = {};
    buffers[0] = {sizes.cbHeader, SECBUFFER_STREAM_HEADER, record};
    buffers[1] = {static_cast<unsigned long>(piece), SECBUFFER_DATA, record + sizes.cbHeader};
    buffers[2] = {sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record + sizes.cbHeader + piece};
    buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
    SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
    SECURITY_STATUS status = EncryptMessage(context.handle(), 0, &desc, 0);
    if (status != SEC_E_OK) {
      result.status = ToStatus(status);
      result.records.clear();
      return result;
    }
    // Close any gap between what was reserved and what was written, so records stay contiguous.
    uint8_t* cursor = record + buffers[0].cbBuffer;
    if (cursor != buffers[1].pvBuffer) std::memmove(cursor, buffers[1].pvBuffer, buffers[1].cbBuffer);
    cursor += buffers[1].cbBuffer;
    if (cursor != buffers[2].pvBuffer) std::memmove(cursor, buffers[2].pvBuffer, buffers[2].cbBuffer);
    cursor += buffers[2].cbBuffer;
    written += static_cast<size_t>(cursor - record);
    offset += piece;
  } while (offset < length);

  result.records.resize(written);
  result.status = ToStatus(SEC_E_OK);
  return result;
}

DecryptResult DecryptRecord(SecurityContext& context, const uint8_t* data, size_t length) {
  DecryptResult result;
  if (!context.valid()) {
    result.status = ToStatus(SEC_E_INVALID_HANDLE);
    return result;
  }
  // Less than a record header: answer for Schannel. Wine reads the header past the end of a
  // shorter buffer (and dereferences a null one), so it must never see such input.
  constexpr size_t kRecordHeader = 5;
  if (length < kRecordHeader) {
    result.status = ToStatus(SEC_E_INCOMPLETE_MESSAGE);
    result.hasMissing = true;
    result.missing = static_cast<unsigned long>(kRecordHeader - length);
    return result;
  }
  Bytes work(data, data + length);
  SecBuffer buffers[4] = {};
  buffers[0] = {static_cast<unsigned long>(work.size()), SECBUFFER_DATA, work.empty() ? nullptr : work.data()};
  buffers[1] = {0, SECBUFFER_EMPTY, nullptr};
  buffers[2] = {0, SECBUFFER_EMPTY, nullptr};
  buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
  SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
  SECURITY_STATUS status = DecryptMessage(context.handle(), &desc, 0, nullptr);
  result.status = ToStatus(status);

  result.consumed = static_cast<unsigned long>(length);
  for (const auto& buffer : buffers) {
    switch (buffer.BufferType) {
      case SECBUFFER_DATA:
        if (status == SEC_E_OK || status == SEC_I_RENEGOTIATE || status == SEC_I_CONTEXT_EXPIRED) {
          if (buffer.pvBuffer != nullptr && buffer.cbBuffer > 0) {
            const auto* bytes = static_cast<const uint8_t*>(buffer.pvBuffer);
            result.data.assign(bytes, bytes + buffer.cbBuffer);
          }
        }
        break;
      case SECBUFFER_EXTRA:
        result.hasExtra = true;
        if (buffer.cbBuffer <= length) {
          // The extra bytes are the tail of the input; copy them from the caller's untouched bytes.
          result.extra.assign(data + length - buffer.cbBuffer, data + length);
          result.consumed = static_cast<unsigned long>(length - buffer.cbBuffer);
        }
        break;
      case SECBUFFER_MISSING:
        // The first MISSING buffer holds the count; Wine marks a second one with the record size.
        if (!result.hasMissing) {
          result.hasMissing = true;
          result.missing = buffer.cbBuffer;
        }
        break;
      default:
        break;
    }
  }
  if (status == SEC_E_INCOMPLETE_MESSAGE) result.consumed = 0;
  return result;
}

}  // namespace sspi
