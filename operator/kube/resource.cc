#include "kube/resource.h"

#include <cctype>
#include <cstdio>

namespace stampede::kube {

std::string resource_path(const ResourceType& type, const std::string& ns, const std::string& name,
                          const std::string& subresource) {
  std::string path =
      type.group.empty() ? "/api/" + type.version : "/apis/" + type.group + "/" + type.version;
  if (!ns.empty()) path += "/namespaces/" + ns;
  path += "/" + type.plural;
  if (!name.empty()) path += "/" + name;
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

std::string query_escape(const std::string& value) {
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace stampede::kube
