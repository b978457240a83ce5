#pragma once
// Text for XML 1.0 documents (the JUnit report). Names come from plans and results, so any
// byte may arrive: markup characters become references, and what XML 1.0 cannot hold at all
// (control characters, bytes that are not UTF-8) becomes U+FFFD, so the document always parses.

#include <string>
#include <string_view>

namespace stampede {

// Character data: & < > escaped (">" too, so "]]>" never appears).
std::string xml_text(std::string_view text);
// An attribute value in double quotes: also " and ', and tab, CR and LF as character
// references (a parser would otherwise normalise them to spaces).
std::string xml_attribute(std::string_view text);

}  // namespace stampede
