#include "plan/source_error.h"

namespace stampede {

std::string SourceError::format(const std::string& plan_file) const {
  std::string out = file.empty() ? plan_file : file;
  if (line > 0) {
    out.append(":").append(std::to_string(line));
    if (column > 0) out.append(":").append(std::to_string(column));
  }
  out.append(": ");
  if (!path.empty()) out.append(path).append(": ");
  out.append(message);
  return out;
}

}  // namespace stampede
