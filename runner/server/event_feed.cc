#include "server/event_feed.h"

namespace stampede {

void EventFeed::publish(const std::string& name, const std::string& data) {
  auto text = std::make_shared<std::string>();
  text->reserve(name.size() + data.size() + 16);
  *text += "event: ";
  *text += name;
  *text += "\ndata: ";
  *text += data;
  *text += "\n\n";
  const std::lock_guard lock(mutex_);
  latest_ = {latest_.sequence + 1, std::move(text)};
}

EventFeed::Event EventFeed::latest() const {
  const std::lock_guard lock(mutex_);
  return latest_;
}

}  // namespace stampede
