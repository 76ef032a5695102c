// IpmiSimLab: a real BMC for tests, OpenIPMI's ipmi_sim, on a free UDP port of 127.0.0.1.
//
//   IpmiSimLab bmc;                          // writes the configs, compiles the SDRs, starts ipmi_sim
//   auto endpoint = bmc.endpoint("host-0");  // 127.0.0.1:<port>, admin / secret
//   bmc.set_sensor("cpu_temp", 90);          // the next poll (<= 100 ms) reads 90 degrees C
//   bmc.actions();                           // {"power 0", "reset 1", ...}: what the chassis hook did
//
// The configs are tests/ipmi/lan.conf.in, bmc.emu.in, bmc.sdrs (compiled with sdrcomp into the state
// dir) and chassis_control.sh, filled in for a fresh temp dir (kept when ROOST_KEEP_LAB=1). ipmi_sim is
// stopped by its PID (SIGTERM, then SIGKILL) and reaped; it also gets SIGKILL if the test process dies.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/core/hardware.h"

namespace roost::testing {

struct IpmiSimOptions {
  std::string user = "admin";
  std::string password = "secret";
  double cpu_temp = 45;   // degrees C at start
  double fan_rpm = 4500;  // RPM at start (a multiple of 50: the sensor's resolution)
  bool powered = true;
};

class IpmiSimLab {
 public:
  explicit IpmiSimLab(IpmiSimOptions options = {});
  ~IpmiSimLab();
  IpmiSimLab(const IpmiSimLab&) = delete;
  IpmiSimLab& operator=(const IpmiSimLab&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Launch to the UDP port being bound, in seconds.
  double startup_seconds() const { return startup_s_; }

  core::BmcEndpoint endpoint(const std::string& host = "bmc-host") const;

  // Sensor files: "cpu_temp" (degrees C), "fan1" (RPM).
  void set_sensor(const std::string& file, double value);
  // What `get power` answers from now on (as if the host switched itself on or off).
  void set_power(bool on);
  // Lines the chassis hook recorded: "power 0", "power 1", "reset 1", ...
  std::vector<std::string> actions() const;
  // ipmi_sim's own output, for failure messages.
  std::string output() const;

  void stop();

  // A UDP port of 127.0.0.1 that nothing was bound to a moment ago.
  static std::uint16_t free_udp_port();

 private:
  void write_configs();
  void launch();

  IpmiSimOptions options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = 0;
  double startup_s_ = 0;
};

}  // namespace roost::testing
