// manager: systemd's manager over D-Bus, for the systemd cgroup driver. It connects to
// /run/systemd/private, systemd's own socket for root (what systemctl uses: no dbus-daemon
// needed, and systemd sends every signal there unconditionally), authenticates as the caller's
// uid and calls org.freedesktop.systemd1.Manager methods, each waiting for its job's JobRemoved
// signal. A minimal client of the D-Bus wire format (dbus_message.h): launch is one static
// executable, and Debian ships libsystemd only as a shared library.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "systemd/dbus_message.h"
#include "systemd/properties.h"
#include "unique_fd.h"

namespace husk::launch::systemd {

inline constexpr std::string_view kPrivateSocket = "/run/systemd/private";

class Manager {
 public:
  // Fails in one line when systemd is not running ("is systemd PID 1?").
  static Result<Manager> connect(std::string_view socket = kPrivateSocket);

  // StartTransientUnit(unit, "fail", properties): the job's path. From then on the unit is
  // the caller's (a failure before, say UnitExists, leaves someone else's unit alone).
  Result<std::string> start_transient_unit(std::string_view unit,
                                           const std::vector<Property>& properties);
  // Waits for the JobRemoved signal of `job`; an error unless its result is "done".
  Status wait_for_job(const std::string& job);
  // StopUnit(unit, "replace"), then waits; a unit systemd does not know is not an error.
  Status stop_unit(std::string_view unit);
  // SetUnitProperties(unit, runtime, properties).
  Status set_unit_properties(std::string_view unit, const std::vector<Property>& properties);

 private:
  explicit Manager(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends the call and reads until its reply; JobRemoved signals read meanwhile are kept.
  Result<Message> call(std::string_view member, std::vector<Argument> arguments);
  Result<Message> receive();                  // waits until deadline_ms_
  Result<std::optional<Message>> buffered();  // a whole message read already, if any
  Status ping();

  UniqueFd fd_;
  uint32_t serial_ = 0;
  std::string buffer_;                       // bytes read and not parsed yet
  std::map<std::string, std::string> jobs_;  // job path -> result, from JobRemoved
  int64_t deadline_ms_ = 0;                  // CLOCK_MONOTONIC, for the current call
};

}  // namespace husk::launch::systemd
