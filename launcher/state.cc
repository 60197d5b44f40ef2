#include "state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "json_text.h"
#include "text_file.h"
#include "unique_fd.h"

namespace husk::launch {
namespace {

constexpr std::string_view kStateFile = "state.json";

}  // namespace

std::string_view status_name(ContainerStatus status) {
  switch (status) {
    case ContainerStatus::kCreating:
      return "creating";
    case ContainerStatus::kCreated:
      return "created";
    case ContainerStatus::kRunning:
      return "running";
    case ContainerStatus::kStopped:
      return "stopped";
  }
  return "unknown";
}

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

Status validate_id(std::string_view id) {
  if (id.empty()) return Error("container ID is empty");
  if (id.size() > 1024) return Error("container ID is longer than 1024 bytes");
  if (id == "." || id == "..") return Error("container ID \"" + std::string(id) + "\" is invalid");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '+' || c == '-';
    if (!ok)
      return Error("container ID \"" + std::string(id) +
                   "\" may only hold letters, digits, '_', '.', '+' and '-'");
  }
  return {};
}

Result<StateDir> StateDir::create(const std::string& root, const std::string& id) {
  HUSK_TRY(validate_id(id));
  if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("creating state root " + root);
  std::string path = root + "/" + id;
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) return Error("container " + id + " already exists (" + path + ")");
    return Error::from_errno("creating state directory " + path);
  }
  return StateDir(std::move(path));
}

Status StateDir::write(const State& state) const {
  std::string tmp = path_ + "/." + std::string(kStateFile);
  HUSK_TRY_CTX(write_text_file(tmp, state_json(state), O_CREAT | O_TRUNC, 0600), "writing");
  std::string final_path = path_ + "/" + std::string(kStateFile);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0)
    return Error::from_errno("renaming " + tmp + " to " + final_path);
  return {};
}

Status StateDir::remove() {
  if (path_.empty()) return {};
  for (const std::string& name : {"." + std::string(kStateFile), std::string(kStateFile)}) {
    std::string file = path_ + "/" + name;
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
      return Error::from_errno("removing " + file);
  }
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("removing state directory " + path_);
  path_.clear();
  return {};
}

}  // namespace husk::launch
