// Record protection over an established context: EncryptMessage and DecryptMessage in stream mode.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "security_context.h"

namespace sspi {

// The most bytes EncryptRecords can write for `length` bytes of data (status in *status).
size_t EncryptedSizeBound(SecurityContext& context, size_t length, Status* status);

// Splits the data at cbMaximumMessage and encrypts each piece into one record, back to back in
// `out` (at least EncryptedSizeBound bytes); *written is the total. No data gives no records.
// Record sizes come from the cbBuffer values EncryptMessage returns, not from StreamSizes: Wine
// reports cbTrailer far larger than what it writes.
Status EncryptRecords(SecurityContext& context, const uint8_t* data, size_t length, uint8_t* out, size_t* written);

struct DecryptResult {
  Status status = 0;
  Bytes data;              // plaintext of the one record consumed
  bool hasExtra = false;
  Bytes extra;             // bytes after that record, not yet consumed
  bool hasMissing = false;
  unsigned long missing = 0;  // bytes still needed when SEC_E_INCOMPLETE_MESSAGE (0: unknown)
  unsigned long consumed = 0; // bytes of the input the call used
};

// One DecryptMessage call on a private copy of the input (decryption happens in place).
DecryptResult DecryptRecord(SecurityContext& context, const uint8_t* data, size_t length);

struct DecryptBatchResult {
  Status status = 0;        // of the call that ended the batch (SEC_E_OK when the input ran out)
  size_t plaintext = 0;     // plaintext bytes, compacted at the front of the buffer, in order
  size_t records = 0;       // records decrypted
  size_t consumed = 0;      // input bytes used
  bool hasMissing = false;
  unsigned long missing = 0;
  bool closeNotify = false;    // ended on the peer's close_notify
  bool renegotiate = false;    // ended on SEC_I_RENEGOTIATE
  size_t postHandshake = 0;    // with renegotiate: bytes of the decrypted post-handshake message,
                               // placed right after the plaintext
  bool wineCloseNotify = false;  // Wine's form of close_notify: SEC_E_OK, no data, alert record
};

// DecryptMessage over every complete record of `buffer`, decrypting in place and moving each
// record's plaintext to the front, so the buffer ends up as [plaintext | used | unconsumed] (with
// SEC_I_RENEGOTIATE: [plaintext | post-handshake message | used | unconsumed]). Stops
// at the first status other than SEC_E_OK (incomplete, renegotiate, context expired, or a failure),
// or when the input is used up. Nothing after a close_notify is decrypted.
DecryptBatchResult DecryptRecords(SecurityContext& context, uint8_t* buffer, size_t length);

}  // namespace sspi
