#include "systemd/dbus_message.h"

#include <type_traits>

namespace husk::launch::systemd {
namespace {

enum HeaderField : uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSender = 7,
  kSignature = 8,
};

constexpr size_t kMaxMessage = 128u << 20;  // the specification's limit

// Appends values with D-Bus alignment, relative to the start of `out` (a body starts on an 8-byte
// boundary of the message, so the body's own buffer aligns the same).
class Writer {
 public:
  struct Array {
    size_t length_at;
    size_t start;
  };
  void pad(size_t n) { out_.append((n - out_.size() % n) % n, '\0'); }
  void byte(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value) { fixed(value); }
  void u64(uint64_t value) { fixed(value); }
  void string(std::string_view text) {
    u32(static_cast<uint32_t>(text.size()));
    out_.append(text);
    out_.push_back('\0');
  }
  void signature(std::string_view text) {
    byte(static_cast<uint8_t>(text.size()));
    out_.append(text);
    out_.push_back('\0');
  }
  Array begin_array(size_t element_alignment) {
    u32(0);
    size_t at = out_.size() - 4;
    pad(element_alignment);
    return {at, out_.size()};
  }
  void end_array(Array array) {
    auto length = static_cast<uint32_t>(out_.size() - array.start);
    for (int i = 0; i < 4; ++i) out_[array.length_at + i] = static_cast<char>(length >> (8 * i));
  }
  void append(std::string_view bytes) { out_.append(bytes); }
  const std::string& bytes() const { return out_; }

 private:
  template <class T>
  void fixed(T value) {
    pad(sizeof(T));
    for (size_t i = 0; i < sizeof(T); ++i) out_.push_back(static_cast<char>(value >> (8 * i)));
  }
  std::string out_;
};

std::string value_signature(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return "s";
        if constexpr (std::is_same_v<T, bool>) return "b";
        if constexpr (std::is_same_v<T, uint64_t>) return "t";
        return "au";
      },
      value);
}

void write_value(Writer& w, const Value& value) {
  std::visit(
      [&w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          w.string(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          w.u32(v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          w.u64(v);
        } else {
          auto array = w.begin_array(4);
          for (uint32_t element : v) w.u32(element);
          w.end_array(array);
        }
      },
      value);
}

std::string argument_signature(const Argument& argument) {
  if (std::holds_alternative<std::string>(argument)) return "s";
  if (std::holds_alternative<bool>(argument)) return "b";
  if (std::holds_alternative<std::vector<Property>>(argument)) return "a(sv)";
  return "a(sa(sv))";
}

void write_argument(Writer& w, const Argument& argument) {
  if (const auto* text = std::get_if<std::string>(&argument)) {
    w.string(*text);
  } else if (const auto* flag = std::get_if<bool>(&argument)) {
    w.u32(*flag ? 1 : 0);
  } else if (const auto* properties = std::get_if<std::vector<Property>>(&argument)) {
    auto array = w.begin_array(8);
    for (const Property& property : *properties) {
      w.pad(8);
      w.string(property.name);
      w.signature(value_signature(property.value));
      write_value(w, property.value);
    }
    w.end_array(array);
  } else {
    w.end_array(w.begin_array(8));  // no auxiliary units
  }
}

// The Message member a header field of type s, o or g fills; nullptr for one not kept.
std::string* text_field(Message& message, uint8_t code) {
  static constexpr std::pair<HeaderField, std::string Message::*> kFields[] = {
      {kPath, &Message::path},           {kInterface, &Message::interface},
      {kMember, &Message::member},       {kErrorName, &Message::error_name},
      {kSignature, &Message::signature},
  };
  for (const auto& [field, member] : kFields) {
    if (field == code) return &(message.*member);
  }
  return nullptr;
}

// Reads values from a whole message with D-Bus alignment; every read checks the bounds.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  size_t position() const { return pos_; }
  bool align(size_t n) {
    size_t next = (pos_ + n - 1) / n * n;
    if (next > data_.size()) return false;
    pos_ = next;
    return true;
  }
  std::optional<uint8_t> byte() {
    if (pos_ >= data_.size()) return std::nullopt;
    return static_cast<uint8_t>(data_[pos_++]);
  }
  std::optional<uint32_t> u32() {
    if (!align(4) || data_.size() - pos_ < 4) return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i)
      value |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return value;
  }
  std::optional<std::string> string() {
    auto length = u32();
    if (!length) return std::nullopt;
    return text(*length);
  }
  std::optional<std::string> signature() {
    auto length = byte();
    if (!length) return std::nullopt;
    return text(*length);
  }

 private:
  std::optional<std::string> text(size_t length) {
    if (data_.size() - pos_ < length + 1 || data_[pos_ + length] != '\0') return std::nullopt;
    std::string value(data_.substr(pos_, length));
    pos_ += length + 1;
    return value;
  }
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

std::string marshal_call(const Call& call, uint32_t serial) {
  Writer body;
  std::string signature;
  for (const Argument& argument : call.arguments) {
    signature += argument_signature(argument);
    write_argument(body, argument);
  }
  Writer w;
  w.byte('l');
  w.byte(static_cast<uint8_t>(MessageType::kMethodCall));
  w.byte(0);  // flags
  w.byte(1);  // protocol version
  w.u32(static_cast<uint32_t>(body.bytes().size()));
  w.u32(serial);
  auto fields = w.begin_array(8);
  auto field = [&w](HeaderField code, std::string_view type, std::string_view value) {
    w.pad(8);
    w.byte(code);
    w.signature(type);
    if (type == "g") {
      w.signature(value);
    } else {
      w.string(value);
    }
  };
  field(kPath, "o", call.path);
  field(kInterface, "s", call.interface);
  field(kMember, "s", call.member);
  field(kDestination, "s", call.destination);
  if (!signature.empty()) field(kSignature, "g", signature);
  w.end_array(fields);
  w.pad(8);
  w.append(body.bytes());
  return w.bytes();
}

Result<size_t> message_size(std::string_view head) {
  if (head.size() < 16) return Error("a D-Bus message shorter than its header");
  if (head[0] != 'l') return Error("a D-Bus message that is not little-endian");
  if (head[3] != 1) return Error("a D-Bus message of protocol version " + std::to_string(head[3]));
  Reader reader(head.substr(0, 16));
  reader.u32();
  auto body = reader.u32();
  reader.u32();
  auto fields = reader.u32();
  if (!body || !fields) return Error("a truncated D-Bus header");
  size_t size = 16 + ((size_t{*fields} + 7) / 8 * 8) + *body;
  if (size > kMaxMessage) return Error("a D-Bus message larger than 128 MiB");
  return size;
}

Result<Message> parse_message(std::string_view bytes) {
  auto size = message_size(bytes);
  if (!size.ok()) return std::move(size).error();
  if (bytes.size() != *size) return Error("a D-Bus message of the wrong size");
  auto bad = [](std::string_view what) {
    return Error("a malformed D-Bus message: " + std::string(what));
  };
  Message message;
  auto type = static_cast<uint8_t>(bytes[1]);
  if (type < 1 || type > 4) return bad("unknown type " + std::to_string(type));
  message.type = static_cast<MessageType>(type);
  Reader reader(bytes);
  reader.u32();
  auto body_size = reader.u32();
  auto serial = reader.u32();
  auto fields_size = reader.u32();
  if (!body_size || !serial || !fields_size) return bad("its header");
  message.serial = *serial;
  size_t fields_end = reader.position() + *fields_size;
  while (reader.position() < fields_end) {
    if (!reader.align(8)) return bad("its header fields");
    auto code = reader.byte();
    auto type_signature = reader.signature();
    if (!code || !type_signature) return bad("its header fields");
    std::optional<std::string> text;
    uint32_t number = 0;
    if (*type_signature == "s" || *type_signature == "o") {
      text = reader.string();
    } else if (*type_signature == "g") {
      text = reader.signature();
    } else if (*type_signature == "u") {
      auto value = reader.u32();
      if (value) text = "", number = *value;
    } else {
      return bad("a header field of type " + *type_signature);
    }
    if (!text) return bad("a header field");
    if (*code == kReplySerial) {
      message.reply_serial = number;
    } else if (std::string* field = text_field(message, *code)) {
      *field = *text;
    }  // destination, sender, unix fds: not needed
  }
  if (reader.position() != fields_end || !reader.align(8)) return bad("its header fields");
  if (bytes.size() - reader.position() != *body_size) return bad("its body size");
  for (char c : message.signature) {
    std::optional<std::string> value;
    if (c == 's' || c == 'o') {
      value = reader.string();
    } else if (c == 'g') {
      value = reader.signature();
    } else if (c == 'u') {
      if (auto number = reader.u32()) value = std::to_string(*number);
    } else {
      break;
    }
    if (!value) return bad("its body");
    message.arguments.push_back(std::move(*value));
  }
  return message;
}

}  // namespace husk::launch::systemd
