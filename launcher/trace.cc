#include "trace.h"

#include "channel.h"
#include "json_text.h"

namespace husk::launch {

Trace::Trace(std::string_view verb) : verb_(verb), start_ns_(realtime_ns()), last_ns_(start_ns_) {}

void Trace::mark(std::string_view phase) {
  int64_t now = realtime_ns();
  phases_.emplace_back(std::string(phase), (now - last_ns_) / 1000);
  last_ns_ = now;
}

void Trace::span(std::string_view phase, int64_t from_ns, int64_t to_ns) {
  if (from_ns == 0 || to_ns == 0) return;
  phases_.emplace_back(std::string(phase), (to_ns - from_ns) / 1000);
  last_ns_ = to_ns;
}

void Trace::note(std::string_view key, std::string_view value) {
  notes_.emplace_back(std::string(key), std::string(value));
}

std::string Trace::json() const {
  std::string text = "{\"verb\":" + json_quote(verb_);
  for (const auto& [key, value] : notes_) text += "," + json_quote(key) + ":" + json_quote(value);
  for (const auto& [phase, us] : phases_)
    text += "," + json_quote(phase + "_us") + ":" + std::to_string(us);
  text += ",\"total_us\":" + std::to_string((realtime_ns() - start_ns_) / 1000) + "}";
  return text;
}

}  // namespace husk::launch
