{
  "targets": [
    {
      "target_name": "schannel",
      "conditions": [
        ["OS=='win'", {
          "sources": [
            "src-native/sspi/live_counters.cpp",
            "src-native/sspi/status_text.cpp",
            "src-native/sspi/cert_store.cpp",
            "src-native/sspi/credential.cpp",
            "src-native/sspi/sec_buffers.cpp",
            "src-native/sspi/security_context.cpp",
            "src-native/sspi/stream.cpp",
            "src-native/sspi/context_attributes.cpp",
            "src-native/napi/marshal.cpp",
            "src-native/napi/handle_objects.cpp",
            "src-native/napi/handshake_bindings.cpp",
            "src-native/napi/message_bindings.cpp",
            "src-native/napi/attribute_bindings.cpp",
            "src-native/napi/addon.cpp",
            "src-native/sspi/chain_verify.cpp",
            "src-native/napi/verify_bindings.cpp",
            "src-native/sspi/bench_loop.cpp",
            "src-native/napi/bench_bindings.cpp",
            "src-native/sspi/system_stores.cpp",
            "src-native/napi/store_bindings.cpp"
          ],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "UNICODE", "_UNICODE", "SECURITY_WIN32", "WIN32_LEAN_AND_MEAN", "NOMINMAX"],
          "libraries": ["secur32.lib", "crypt32.lib", "ncrypt.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "ExceptionHandling": 1,
              "WarningLevel": 3,
              "WarnAsError": "true",
              "AdditionalOptions": ["/std:c++17", "/guard:cf", "/sdl", "/Qspectre", "/utf-8"]
            },
            "VCLinkerTool": {
              "AdditionalOptions": ["/guard:cf", "/DYNAMICBASE", "/NXCOMPAT"]
            }
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
