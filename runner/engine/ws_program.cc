#include "engine/ws_program.h"

#include <algorithm>

namespace stampede {
namespace {

class ProgramBuilder {
 public:
  ProgramBuilder(const std::function<Template(const Template&)>& bind,
                 const std::function<std::size_t(const std::string&)>& reply_row,
                 const std::function<std::size_t(const std::string&)>& slot, CompiledWs* out)
      : bind_(bind), reply_row_(reply_row), slot_(slot), out_(out) {}

  void add(const std::vector<WsAction>& actions, std::size_t depth) {
    for (const WsAction& action : actions) add(action, depth);
  }

 private:
  void add(const WsAction& action, std::size_t depth) {
    WsOp op;
    op.action = &action;
    switch (action.kind) {
      case WsAction::Kind::kSend:
        op.code = WsOp::Code::kSend;
        op.payload = bind_(action.payload);
        if (op.payload.constant()) op.text = op.payload.constant_text();
        break;
      case WsAction::Kind::kReceive:
        op.code = WsOp::Code::kReceive;
        if (action.until) op.until_expected = bind_(action.until->expected);
        if (!action.name.empty()) op.reply_row = reply_row_(action.name);
        for (const Extractor& e : action.extract) op.extract_slots.push_back(slot_(e.variable));
        break;
      case WsAction::Kind::kPing:
        op.code = WsOp::Code::kPing;
        break;
      case WsAction::Kind::kThink:
        op.code = WsOp::Code::kThink;
        break;
      case WsAction::Kind::kClose:
        op.code = WsOp::Code::kClose;
        break;
      case WsAction::Kind::kRepeat:
        return add_repeat(action, depth);
    }
    if (!action.name.empty()) op.pair = pair_slot(action.name);
    out_->program.push_back(std::move(op));
  }

  void add_repeat(const WsAction& action, std::size_t depth) {
    out_->loops = std::max(out_->loops, depth + 1);
    WsOp op;
    op.code = WsOp::Code::kRepeat;
    op.action = &action;
    op.loop = depth;
    const std::size_t begin = out_->program.size();
    out_->program.push_back(op);
    add(action.actions, depth + 1);
    op.code = WsOp::Code::kRepeatEnd;
    op.partner = begin;
    out_->program[begin].partner = out_->program.size();
    out_->program.push_back(op);
  }

  std::size_t pair_slot(const std::string& name) {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) it = names_.insert(names_.end(), name);
    out_->pairs = names_.size();
    return static_cast<std::size_t>(it - names_.begin());
  }

  const std::function<Template(const Template&)>& bind_;
  const std::function<std::size_t(const std::string&)>& reply_row_;
  const std::function<std::size_t(const std::string&)>& slot_;
  CompiledWs* out_;
  std::vector<std::string> names_;
};

}  // namespace

CompiledWs compile_ws(const WsStep& step, const std::function<Template(const Template&)>& bind,
                      const std::function<std::size_t(const std::string& name)>& reply_row,
                      const std::function<std::size_t(const std::string& variable)>& slot) {
  CompiledWs ws;
  ws.step = &step;
  ProgramBuilder(bind, reply_row, slot, &ws).add(step.actions, 0);
  return ws;
}

}  // namespace stampede
