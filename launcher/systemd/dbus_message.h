// dbus_message: the little of the D-Bus wire format that talking to systemd needs. A method call
// is marshalled from plain data (its body's signature built from the arguments); a message read
// from the socket is split into its header fields and a body whose first arguments are read as
// strings, object paths and uint32s (the replies and signals systemd sends: "o", "s...",
// JobRemoved's "uoss"). Little-endian, as the D-Bus specification lets a sender choose.
// Plain data in, bytes out and back: the tests need no bus.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "error.h"
#include "systemd/properties.h"

namespace husk::launch::systemd {

enum class MessageType : uint8_t { kMethodCall = 1, kMethodReturn = 2, kError = 3, kSignal = 4 };

// An argument of a method call: s, b, a(sv) (properties) or a(sa(sv)) (auxiliary units: always
// empty here). Strings as std::string: a string literal would make a bool.
struct AuxUnits {};
using Argument = std::variant<std::string, bool, std::vector<Property>, AuxUnits>;

struct Call {
  std::string destination;  // "org.freedesktop.systemd1"
  std::string path;         // "/org/freedesktop/systemd1"
  std::string interface;    // "org.freedesktop.systemd1.Manager"
  std::string member;       // "StartTransientUnit"
  std::vector<Argument> arguments;
};

// The whole message, header and body, with serial `serial` (non-zero).
std::string marshal_call(const Call& call, uint32_t serial);

// The size of the message whose first 16 bytes are `head`, or an error for a header that is
// not a D-Bus message this client reads (big-endian, another version, over 128 MiB).
Result<size_t> message_size(std::string_view head);

struct Message {
  MessageType type = MessageType::kMethodCall;
  uint32_t serial = 0;
  uint32_t reply_serial = 0;
  std::string path, interface, member, error_name, signature;
  // The body's leading s, o, g and u arguments, in order (u as decimal text); reading stops at
  // the first argument of another type.
  std::vector<std::string> arguments;
};

// Parses one whole message (message_size() bytes).
Result<Message> parse_message(std::string_view bytes);

}  // namespace husk::launch::systemd
