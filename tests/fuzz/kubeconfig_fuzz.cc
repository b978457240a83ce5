// The operator's kubeconfig reader (kube/kube_config.cc): the input is the kubeconfig text.
// Files it names are "read" from a fake directory, never from the machine: ca.crt, client.crt
// and client.key relative to it exist, everything else is missing. Beyond "no crash": it never
// throws, and a refusal says why.

#include <cstddef>
#include <cstdint>
#include <string>

#include "kube/kube_config.h"

namespace {

std::optional<std::string> fake_file(const std::string& path) {
  for (const char* name : {"ca.crt", "client.crt", "client.key"}) {
    if (path == std::string("/fuzz/kube/") + name) return std::string("-----PEM ") + name;
  }
  return std::nullopt;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  std::optional<stampede::kube::KubeConfig> config;
  try {
    config = stampede::kube::parse_kubeconfig(text, "/fuzz/kube/config", fake_file, &error);
  } catch (...) {
    __builtin_trap();  // documented never to throw: the operator would die on start
  }
  if (!config && error.empty()) __builtin_trap();
  if (config && (config->host.empty() || config->port.empty())) __builtin_trap();
  return 0;
}
