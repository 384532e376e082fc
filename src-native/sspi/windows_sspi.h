// The one place the Windows security headers are included, in the order they need.
#pragma once
#ifndef SECURITY_WIN32
#define SECURITY_WIN32
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
// SCH_CREDENTIALS and TLS_PARAMETERS are only declared with SCHANNEL_USE_BLACKLISTS, and they use
// UNICODE_STRING, which subauth.h declares.
#ifndef SCHANNEL_USE_BLACKLISTS
#define SCHANNEL_USE_BLACKLISTS
#endif
#include <windows.h>
#include <subauth.h>
#include <wincrypt.h>
#include <schannel.h>
#include <security.h>
#include <sspi.h>

#include <cstdint>

namespace sspi {

// SECURITY_STATUS as the unsigned 32-bit value Microsoft documents (0x80090308, not -2146893048).
using Status = uint32_t;

inline Status ToStatus(SECURITY_STATUS s) { return static_cast<Status>(s); }
inline bool Failed(Status s) { return (s & 0x80000000u) != 0; }

}  // namespace sspi
