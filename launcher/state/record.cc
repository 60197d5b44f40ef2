#include "state/record.h"

#include <nlohmann/json.hpp>

#include "json_text.h"

namespace husk::launch {

std::string state_json(const State& state) {
  std::string out = "{\"ociVersion\":" + json_quote(state.oci_version) +
                    ",\"id\":" + json_quote(state.id) +
                    ",\"status\":" + json_quote(status_name(state.status));
  if (state.pid > 0) out += ",\"pid\":" + std::to_string(state.pid);
  out += ",\"bundle\":" + json_quote(state.bundle);
  if (!state.annotations.empty()) {
    out += ",\"annotations\":{";
    bool first = true;
    for (const auto& [key, value] : state.annotations) {
      if (!first) out += ',';
      first = false;
      out += json_quote(key) + ":" + json_quote(value);
    }
    out += '}';
  }
  out += '}';
  return out;
}

namespace {

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? "," : "") + json_quote(item);
  return out + "]";
}

}  // namespace

// The state's object with launch's own fields added as "husk", written as state_json() is.
std::string record_json(const Record& record) {
  std::string out = state_json(record.state);
  out.pop_back();  // the state's closing brace
  out += ",\"husk\":{\"initStartTime\":" + std::to_string(record.init_start_time) +
         ",\"cgroupPaths\":" + json_list(record.cgroup_paths) +
         ",\"cgroupCreated\":" + json_list(record.cgroup_created) +
         ",\"created\":" + std::to_string(record.created_ns) +
         ",\"noInit\":" + (record.no_init ? "true" : "false") +
         ",\"foreground\":" + (record.foreground ? "true" : "false");
  if (!record.systemd_unit.empty()) out += ",\"systemdUnit\":" + json_quote(record.systemd_unit);
  return out + "}}";
}

Result<Record> parse_record(std::string_view text) {
  Record r;
  std::string field;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    auto take = [&](const nlohmann::json& object, const char* name, auto& target) {
      field = name;
      if (auto it = object.find(name); it != object.end() && !it->is_null()) it->get_to(target);
    };
    take(j, "ociVersion", r.state.oci_version);
    take(j, "id", r.state.id);
    std::string status;
    take(j, "status", status);
    field = "status";
    if (!parse_status(status, r.state.status))
      return Error("state.json: .status: unknown status \"" + json_escape(status) + "\"");
    take(j, "pid", r.state.pid);
    take(j, "bundle", r.state.bundle);
    take(j, "annotations", r.state.annotations);
    field = "husk";
    const nlohmann::json& p = j.at("husk");
    take(p, "initStartTime", r.init_start_time);
    take(p, "cgroupPaths", r.cgroup_paths);
    take(p, "cgroupCreated", r.cgroup_created);
    take(p, "created", r.created_ns);
    take(p, "noInit", r.no_init);
    take(p, "foreground", r.foreground);
    take(p, "systemdUnit", r.systemd_unit);
  } catch (const std::exception& e) {
    return Error("state.json: ." + field + ": " + e.what());
  }
  if (auto valid = validate_id(r.state.id); !valid.ok())
    return std::move(valid).error().context("state.json: .id");
  return r;
}

Status validate_id(std::string_view id) {
  if (id.empty()) return Error("container ID is empty");
  if (id.size() > 1024) return Error("container ID is longer than 1024 bytes");
  if (id == "." || id == "..") return Error("container ID \"" + std::string(id) + "\" is invalid");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '+' || c == '-';
    if (!ok)
      return Error("container ID \"" + json_escape(id) +
                   "\" may only hold letters, digits, '_', '.', '+' and '-'");
  }
  return {};
}

}  // namespace husk::launch
