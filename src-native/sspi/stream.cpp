#include "stream.h"

#include <algorithm>
#include <cstring>

namespace sspi {

namespace {

constexpr size_t kRecordHeader = 5;

// Less than a record header: the answer is SEC_E_INCOMPLETE_MESSAGE, given here rather than by
// Schannel. Wine reads the header past the end of a shorter buffer (and dereferences a null one),
// so it must never see such input.
bool ShortOfHeader(size_t available, Status* status, bool* hasMissing, unsigned long* missing) {
  if (available >= kRecordHeader) return false;
  *status = ToStatus(SEC_E_INCOMPLETE_MESSAGE);
  *hasMissing = true;
  *missing = static_cast<unsigned long>(kRecordHeader - available);
  return true;
}

// One DecryptMessage call in stream mode: the record(s) in `data` (decrypted in place), and three
// empty buffers for Schannel to describe the plaintext, the trailer, and SECBUFFER_EXTRA/MISSING.
SECURITY_STATUS DecryptInPlace(SecurityContext& context, uint8_t* data, size_t length, SecBuffer (&buffers)[4]) {
  buffers[0] = {static_cast<unsigned long>(length), SECBUFFER_DATA, length == 0 ? nullptr : data};
  buffers[1] = {0, SECBUFFER_EMPTY, nullptr};
  buffers[2] = {0, SECBUFFER_EMPTY, nullptr};
  buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
  SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
  return DecryptMessage(context.handle(), &desc, 0, nullptr);
}

}  // namespace

size_t EncryptedSizeBound(SecurityContext& context, size_t length, Status* status) {
  SecPkgContext_StreamSizes sizes{};
  *status = context.StreamSizes(&sizes);
  if (*status != SEC_E_OK) return 0;
  if (sizes.cbMaximumMessage == 0) {
    *status = ToStatus(SEC_E_INTERNAL_ERROR);
    return 0;
  }
  const size_t pieces = (length + sizes.cbMaximumMessage - 1) / sizes.cbMaximumMessage;
  return length + pieces * (static_cast<size_t>(sizes.cbHeader) + sizes.cbTrailer);
}

Status EncryptRecords(SecurityContext& context, const uint8_t* data, size_t length, uint8_t* out, size_t* written) {
  *written = 0;
  SecPkgContext_StreamSizes sizes{};
  Status status = context.StreamSizes(&sizes);
  if (status != SEC_E_OK || length == 0) return status;
  const size_t maxPiece = sizes.cbMaximumMessage;
  size_t offset = 0;
  while (offset < length) {
    const size_t piece = std::min(maxPiece, length - offset);
    uint8_t* record = out + *written;
    std::memcpy(record + sizes.cbHeader, data + offset, piece);

    SecBuffer buffers[4] = {};
    buffers[0] = {sizes.cbHeader, SECBUFFER_STREAM_HEADER, record};
    buffers[1] = {static_cast<unsigned long>(piece), SECBUFFER_DATA, record + sizes.cbHeader};
    buffers[2] = {sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record + sizes.cbHeader + piece};
    buffers[3] = {0, SECBUFFER_EMPTY, nullptr};
    SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
    SECURITY_STATUS encrypted = EncryptMessage(context.handle(), 0, &desc, 0);
    if (encrypted != SEC_E_OK) {
      *written = 0;
      return ToStatus(encrypted);
    }
    // Close any gap between what was reserved and what was written, so records stay contiguous.
    uint8_t* cursor = record + buffers[0].cbBuffer;
    if (cursor != buffers[1].pvBuffer) std::memmove(cursor, buffers[1].pvBuffer, buffers[1].cbBuffer);
    cursor += buffers[1].cbBuffer;
    if (cursor != buffers[2].pvBuffer) std::memmove(cursor, buffers[2].pvBuffer, buffers[2].cbBuffer);
    cursor += buffers[2].cbBuffer;
    *written += static_cast<size_t>(cursor - record);
    offset += piece;
  }
  return ToStatus(SEC_E_OK);
}

DecryptResult DecryptRecord(SecurityContext& context, const uint8_t* data, size_t length) {
  DecryptResult result;
  if (!context.valid()) {
    result.status = ToStatus(SEC_E_INVALID_HANDLE);
    return result;
  }
  if (ShortOfHeader(length, &result.status, &result.hasMissing, &result.missing)) return result;
  Bytes work(data, data + length);
  SecBuffer buffers[4] = {};
  SECURITY_STATUS status = DecryptInPlace(context, work.data(), work.size(), buffers);
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

DecryptBatchResult DecryptRecords(SecurityContext& context, uint8_t* work, size_t length) {
  DecryptBatchResult result;
  if (!context.valid()) {
    result.status = ToStatus(SEC_E_INVALID_HANDLE);
    return result;
  }
  constexpr uint8_t kAlertRecord = 0x15;
  size_t offset = 0;
  result.status = ToStatus(SEC_E_OK);
  // Plaintext is never longer than its record, so moving it to the front never overtakes input.
  auto keep = [&](const uint8_t* plaintext, size_t size) {
    if (size == 0) return;
    std::memmove(work + result.plaintext, plaintext, size);
    result.plaintext += size;
  };
  while (offset < length) {
    const size_t available = length - offset;
    if (ShortOfHeader(available, &result.status, &result.hasMissing, &result.missing)) break;
    const uint8_t recordType = work[offset];
    SecBuffer buffers[4] = {};
    SECURITY_STATUS status = DecryptInPlace(context, work + offset, available, buffers);
    result.status = ToStatus(status);
    if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE && status != SEC_I_CONTEXT_EXPIRED) {
      if (status == SEC_E_INCOMPLETE_MESSAGE) {
        for (const auto& buffer : buffers) {
          if (buffer.BufferType == SECBUFFER_MISSING) {  // the first one holds the count
            result.hasMissing = true;
            result.missing = buffer.cbBuffer;
            break;
          }
        }
      }
      break;
    }
    const uint8_t* plaintext = nullptr;
    size_t plaintextLength = 0;
    size_t extra = 0;
    for (const auto& buffer : buffers) {
      if (buffer.BufferType == SECBUFFER_DATA && buffer.pvBuffer != nullptr) {
        plaintext = static_cast<const uint8_t*>(buffer.pvBuffer);
        plaintextLength = buffer.cbBuffer;
      } else if (buffer.BufferType == SECBUFFER_EXTRA) {
        extra = buffer.cbBuffer <= available ? buffer.cbBuffer : 0;
      }
    }
    ++result.records;
    offset = length - extra;
    if (status == SEC_I_RENEGOTIATE) {
      // The message lands just after the plaintext kept so far, inside the bytes already used.
      result.renegotiate = true;
      if (plaintext != nullptr && plaintextLength > 0) {
        std::memmove(work + result.plaintext, plaintext, plaintextLength);
        result.postHandshake = plaintextLength;
      }
      break;
    }
    if (status == SEC_I_CONTEXT_EXPIRED || (plaintextLength == 0 && recordType == kAlertRecord)) {
      result.closeNotify = true;
      result.wineCloseNotify = status == SEC_E_OK;
      result.status = ToStatus(SEC_I_CONTEXT_EXPIRED);
      keep(plaintext, plaintextLength);
      break;
    }
    keep(plaintext, plaintextLength);
  }
  result.consumed = offset;
  return result;
}

}  // namespace sspi
