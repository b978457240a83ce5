// Text going into the HTML report: nothing from a result may close its element or become markup.
#include "report/html_escape.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace stampede {
namespace {

using nlohmann::json;

TEST(HtmlEscape, TextEscapesMarkupAndQuotes) {
  EXPECT_EQ(html_text(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(html_text("plain name"), "plain name");
}

TEST(HtmlEscape, JsonForScriptCannotCloseTheElement) {
  const json document = {{"name", "</script><script>alert(1)</script><!-- & -->"},
                         {"list", {1, 2.5, "a>b"}}};
  const std::string text = json_for_script(document);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find('&'), std::string::npos) << text;
  EXPECT_NE(text.find("\\u003c/script\\u003e"), std::string::npos) << text;
  EXPECT_EQ(json::parse(text), document);  // what JSON.parse reads back is the same document
}

TEST(HtmlEscape, JsonForScriptReplacesInvalidUtf8) {
  const json document = {{"name", std::string("GET /\xff\xfe")}};
  std::string text;
  ASSERT_NO_THROW(text = json_for_script(document));
  EXPECT_EQ(json::parse(text)["name"], "GET /\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(HtmlEscape, InlineElementTextBreaksClosingTags) {
  EXPECT_EQ(inline_element_text("var s = '</script>'; /a<\\/b/"),
            "var s = '<\\/script>'; /a<\\/b/");
  EXPECT_EQ(inline_element_text("a < b && c </"), "a < b && c <\\/");
}

TEST(HtmlEscape, FillTemplateIsOnePass) {
  const std::string page =
      fill_template("<p>{{A}}</p><i>{{B}}</i>{{A}}", {{"A", "{{B}}"}, {"B", "b"}});
  // A value that holds a placeholder is data, not template.
  EXPECT_EQ(page, "<p>{{B}}</p><i>b</i>{{B}}");
}

TEST(HtmlEscape, FillTemplateRejectsAnUnknownPlaceholder) {
  EXPECT_THROW(fill_template("x {{MISSING}} y", {{"A", "a"}}), std::out_of_range);
  EXPECT_EQ(fill_template("no placeholders {{ but an open brace", {}),
            "no placeholders {{ but an open brace");
}

}  // namespace
}  // namespace stampede
