#pragma once
// Reading an HTML page as text, for the report's and the live page's unit tests.

#include <cstddef>
#include <string>

namespace stampede {

// The text of the element `<script type="application/json" id="ID">`; "" when there is none.
inline std::string element_text(const std::string& page, const std::string& id) {
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  const std::size_t start = page.find(open);
  if (start == std::string::npos) return "";
  const std::size_t from = start + open.size();
  return page.substr(from, page.find("</script>", from) - from);
}

// How often `what` occurs in `text`, overlaps included.
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace stampede
