// Rendering templates on the request path: appends to the caller's buffer; numbers are
// formatted on the stack; only urlencode() and escaped expressions use a scratch buffer, which
// keeps its capacity between calls (one per thread).

#include <charconv>
#include <chrono>
#include <ctime>
#include <deque>

#include "base/rfc3339.h"
#include "plan/template.h"

namespace stampede {
namespace {

void append_number(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

void append_signed(std::string& out, std::int64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

// Version 4 (random) UUID: 122 random bits, the version nibble 4 and the variant bits 10.
void append_uuid(std::string& out, TemplateScope& scope) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = scope.random();
  std::uint64_t lo = scope.random();
  hi = (hi & ~std::uint64_t{0xF000}) | 0x4000;
  lo = (lo & ~(std::uint64_t{3} << 62)) | (std::uint64_t{2} << 62);
  char text[36];
  int at = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) text[at++] = '-';
    const std::uint64_t word = i < 16 ? hi : lo;
    const int shift = 60 - 4 * (i % 16);
    text[at++] = kHex[(word >> shift) & 15];
  }
  out.append(text, sizeof text);
}

void append_now(std::string& out, const std::string& format) {
  const auto now = std::chrono::system_clock::now();
  const auto since_epoch = now.time_since_epoch();
  if (format.empty()) {
    out.append(format_rfc3339(now));
  } else if (format == "unix") {
    append_signed(out, std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  } else if (format == "unixms") {
    append_signed(out, std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
  } else {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char buf[256];
    const std::size_t n = std::strftime(buf, sizeof buf, format.c_str(), &utc);
    out.append(buf, n);
  }
}

void append_urlencoded(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
}

// One scratch buffer per nesting depth: depth 0 holds an expression's output before escaping,
// depth d + 1 the argument of a urlencode() rendered at depth d, so a nested urlencode never
// writes into the buffer it reads. A deque keeps references valid while it grows.
std::string& scratch(std::size_t depth) {
  thread_local std::deque<std::string> buffers;
  if (buffers.size() <= depth) buffers.resize(depth + 1);
  return buffers[depth];
}

void render_expr(const TemplateExpr& e, TemplateScope& scope, std::string& out, std::size_t depth) {
  switch (e.func) {
    case TemplateFunc::kVariable:
      out.append(scope.variable(e.slot));
      return;
    case TemplateFunc::kRandomInt: {
      // Unsigned arithmetic: max - min may exceed INT64_MAX (randomInt(-1, 9223372036854775807)).
      const auto min = static_cast<std::uint64_t>(e.min);
      const std::uint64_t span = static_cast<std::uint64_t>(e.max) - min + 1;  // 0: all 2^64
      const std::uint64_t offset = span == 0 ? scope.random() : scope.random() % span;
      append_signed(out, static_cast<std::int64_t>(min + offset));
      return;
    }
    case TemplateFunc::kRandomChoice:
      out.append(e.choices[scope.random() % e.choices.size()]);
      return;
    case TemplateFunc::kUuid:
      append_uuid(out, scope);
      return;
    case TemplateFunc::kSequence:
      append_number(out, scope.next_sequence());
      return;
    case TemplateFunc::kNow:
      append_now(out, e.format);
      return;
    case TemplateFunc::kUserIndex:
      append_number(out, scope.user_index());
      return;
    case TemplateFunc::kRunnerIndex:
      append_number(out, scope.runner_index());
      return;
    case TemplateFunc::kRunnerCount:
      append_number(out, scope.runner_count());
      return;
    case TemplateFunc::kIteration:
      append_number(out, scope.iteration());
      return;
    case TemplateFunc::kUrlEncode: {
      std::string& inner = scratch(depth + 1);
      inner.clear();
      render_expr(e.args.front(), scope, inner, depth + 1);
      append_urlencoded(out, inner);
      return;
    }
  }
}

// Digits and UUIDs are safe in a path, a header and a JSON string: no escaping pass.
bool plain_output(const TemplateExpr& e) {
  return e.numeric() || e.func == TemplateFunc::kUuid;
}

}  // namespace

void render_template(const Template& t, TemplateScope& scope, std::string& out) {
  for (const TemplatePart& p : t.parts) {
    if (!p.expr) {
      out.append(p.literal);
    } else if (p.escape == TemplateEscape::kNone || plain_output(*p.expr)) {
      render_expr(*p.expr, scope, out, 0);
    } else {
      std::string& value = scratch(0);
      value.clear();
      render_expr(*p.expr, scope, value, 0);
      append_escaped(out, value, p.escape);
    }
  }
}

}  // namespace stampede
