// The system's own message text for a status code (FormatMessageW), as UTF-8.
#pragma once
#include <string>

#include "windows_sspi.h"

namespace sspi {

// Empty when the system has no text for the code (Wine lacks many SEC_E_* texts).
std::string SystemMessage(Status status);

std::string WideToUtf8(const wchar_t* text, int length = -1);
std::wstring Utf8ToWide(const std::string& text);

}  // namespace sspi
