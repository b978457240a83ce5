#include "report/xml_escape.h"

namespace stampede {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at text[i] and its code point; 0 when the bytes
// are not UTF-8 (overlong forms, surrogates and values above U+10FFFF included).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t* code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    *code = lead;
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    min = 0x80;
    *code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    min = 0x800;
    *code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    min = 0x10000;
    *code = lead & 0x07;
  } else {
    return 0;  // a continuation byte or 0xF8 and above cannot start a character
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    *code = (*code << 6) | (byte(i + k) & 0x3F);
  }
  const bool surrogate = *code >= 0xD800 && *code <= 0xDFFF;
  if (*code < min || *code > 0x10FFFF || surrogate) return 0;
  return length;
}

// XML 1.0's Char production.
bool xml_char(char32_t c) {
  if (c < 0x20) return c == 0x9 || c == 0xA || c == 0xD;
  return c != 0xFFFE && c != 0xFFFF;
}

std::string escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, &code);
    if (length == 0 || !xml_char(code)) {
      out += kReplacement;
      i += length == 0 ? 1 : length;
      continue;
    }
    const char c = text[i];
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (attribute && c == '"') {
      out += "&quot;";
    } else if (attribute && c == '\'') {
      out += "&apos;";
    } else if (attribute && (c == '\t' || c == '\n' || c == '\r')) {
      out += "&#" + std::to_string(static_cast<int>(c)) + ";";
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace

std::string xml_text(std::string_view text) {
  return escape(text, false);
}

std::string xml_attribute(std::string_view text) {
  return escape(text, true);
}

}  // namespace stampede
