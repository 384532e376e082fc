// The benchmark's upper bound for record protection: EncryptMessage on one established context and
// DecryptMessage on its peer, in place, in a tight loop with no JavaScript in between. It shows
// what the package's per-call marshaling, copies and engine bookkeeping cost on top of Schannel.
#pragma once
#include <cstddef>
#include <cstdint>

#include "security_context.h"

namespace sspi {

struct BenchResult {
  Status status = 0;                   // SEC_E_OK, or the status of the call that failed
  const char* failedFunction = nullptr;  // EncryptMessage, DecryptMessage, or a check of the loop's own
  uint64_t nanoseconds = 0;            // the whole loop, by QueryPerformanceCounter
  uint64_t encryptNanoseconds = 0;     // inside EncryptMessage calls (and the plaintext copy before each)
  uint64_t decryptNanoseconds = 0;     // inside DecryptMessage calls
  uint64_t bytes = 0;                  // plaintext bytes that went round and compared equal
  uint64_t records = 0;
};

// Sends totalBytes through sender -> receiver, chunkBytes at a time. Each chunk is encrypted into
// records of at most cbMaximumMessage (laid back to back as on the wire, sized by the cbBuffer
// values EncryptMessage returns), then decrypted record by record in place, and every record's
// plaintext is compared with what was sent. A mismatch fails with SEC_E_MESSAGE_ALTERED.
BenchResult RecordLoop(SecurityContext& sender, SecurityContext& receiver, size_t totalBytes, size_t chunkBytes);

}  // namespace sspi
