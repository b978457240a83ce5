#include "report/html_assets.h"

#include <stdexcept>
#include <string>

namespace stampede {

std::string_view html_report_asset(std::string_view name) {
  for (const EmbeddedAsset& asset : html_report_assets()) {
    if (asset.name == name) return asset.bytes;
  }
  throw std::out_of_range("no embedded report asset '" + std::string(name) + "'");
}

}  // namespace stampede
