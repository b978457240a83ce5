#pragma once
// A WebSocket step's actions as a flat program the session steps through: repeat blocks become
// a begin and an end instruction with a counter per nesting level, templates are bound to the
// user's variable slots, and each named receive knows its reply row and the send it answers.
// Built once by compile_plan; read-only afterwards.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "stats/request_stats.h"

namespace stampede {

struct WsOp {
  enum class Code : unsigned char { kSend, kReceive, kPing, kThink, kRepeat, kRepeatEnd, kClose };
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  Code code = Code::kSend;
  const WsAction* action = nullptr;  // the action as parsed (counts, timeouts, close code)
  Template payload;                  // kSend, bound
  std::string text;                  // kSend with a constant payload: the payload
  Template until_expected;           // kReceive with `until`: the expected value, bound
  std::size_t pair = kNone;          // kSend / kReceive with a name: the name's slot
  std::size_t reply_row = kNone;     // kReceive with a name: its REPLY statistics row
  std::size_t loop = 0;              // kRepeat / kRepeatEnd: the counter of its nesting level
  std::size_t partner = 0;           // kRepeat: its end's index; kRepeatEnd: its begin's index
  std::vector<std::size_t> extract_slots;  // kReceive: the variable slot of each extractor
};

struct CompiledWs {
  const WsStep* step = nullptr;
  std::vector<WsOp> program;
  std::size_t pairs = 0;  // distinct names of sends and receives
  std::size_t loops = 0;  // deepest nesting of repeat blocks
};

// `bind` binds a template to the user's slots; `reply_row` finds or adds the statistics row of
// a named receive (method REPLY); `slot` is an extracted variable's slot.
CompiledWs compile_ws(const WsStep& step, const std::function<Template(const Template&)>& bind,
                      const std::function<std::size_t(const std::string& name)>& reply_row,
                      const std::function<std::size_t(const std::string& variable)>& slot);

}  // namespace stampede
