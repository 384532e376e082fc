// Record protection over an established context: EncryptMessage and DecryptMessage in stream mode.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "security_context.h"

namespace sspi {

struct EncryptResult {
  Status status = 0;
  Bytes records;   // complete TLS records, back to back
};

// Splits the data at cbMaximumMessage and encrypts each piece into one record, all into one
// allocation; no data gives no records. Record sizes come from the cbBuffer values EncryptMessage returns, not from
// StreamSizes: Wine reports cbTrailer far larger than what it writes.
EncryptResult EncryptRecords(SecurityContext& context, const uint8_t* data, size_t length);

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

}  // namespace sspi
