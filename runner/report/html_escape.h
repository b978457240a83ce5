#pragma once
// Putting text into an HTML page safely: the report inlines result documents (whose request
// names come from plans, and so from anyone), scripts and styles into one file.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace stampede {

// Text for an element's content or an attribute value: & < > " ' as character references.
std::string html_text(std::string_view text);

// A JSON document for a <script type="application/json"> element: compact, with every <, > and
// & written as \u003c, \u003e and \u0026, so no string in it can close the element
// ("</script>") or open a comment; JSON.parse reads it back unchanged. Invalid UTF-8 in strings
// becomes U+FFFD instead of failing the report.
std::string json_for_script(const nlohmann::json& document);

// The content of an inline <script> or <style> element from a file: a "</" that would close the
// element early is written "<\/", which means the same inside JavaScript strings and regular
// expressions (the only places a minified library has one) and in CSS strings.
std::string inline_element_text(std::string_view text);

// Replaces each {{NAME}} in `page` by values.at(NAME), in one pass: a value is never searched
// for placeholders itself, so data that happens to hold "{{...}}" stays as it is. Throws
// std::out_of_range for a placeholder without a value (a mistake in the template).
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values);

}  // namespace stampede
