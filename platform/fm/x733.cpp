#include "platform/fm/x733.h"

#include <algorithm>
#include <array>

namespace roost::fm {

namespace {

constexpr std::array<AlarmType, 11> kTypes{
    AlarmType::Other,           AlarmType::Communication,      AlarmType::Qos,
    AlarmType::ProcessingError, AlarmType::Equipment,          AlarmType::Environmental,
    AlarmType::IntegrityViolation, AlarmType::OperationalViolation, AlarmType::PhysicalViolation,
    AlarmType::SecurityServiceOrMechanismViolation, AlarmType::TimeDomainViolation};

// X.733 / X.736 probable causes in StarlingX's spelling (fm_api constants), plus "unknown".
constexpr std::array<std::string_view, 78> kCauses{
    "adaptor-error", "application-subsystem-failure", "bandwidth-reduced", "call-establishment-error",
    "communication-protocol-error", "communication-subsystem-failure", "configuration-or-customization-error",
    "congestion", "corrupt-data", "cpu-cycles-limit-exceeded", "dataset-or-modem-error", "degraded-signal",
    "dte-dce-interface-error", "enclosure-door-open", "equipment-malfunction", "excessive-vibration",
    "file-error", "fire-detected", "flood-detected", "framing-error",
    "heating-ventilation-cooling-system-problem", "humidity-unacceptable", "io-device-error",
    "input-device-error", "lan-error", "leak-detected", "local-node-transmission-error", "loss-of-frame",
    "loss-of-signal", "material-supply-exhausted", "multiplexer-problem", "out-of-memory",
    "output-device-error", "performance-degraded", "power-problem", "processor-problem", "pump-failure",
    "queue-size-exceeded", "receive-failure", "receiver-failure", "remote-node-transmission-error",
    "resource-at-or-nearing-capacity", "response-time-excessive", "retransmission-rate-excessive",
    "software-error", "software-program-abnormally-terminated", "software-program-error",
    "storage-capacity-problem", "temperature-unacceptable", "threshold-crossed", "timing-problem",
    "toxic-leak-detected", "transmit-failure", "transmitter-failure", "underlying-resource-unavailable",
    "version-mismatch", "duplicate-information", "information-missing", "information-modification-detected",
    "information-out-of-sequence", "unexpected-information", "denial-of-service", "out-of-service",
    "procedural-error", "unspecified-reason", "cable-tamper", "intrusion-detection", "authentication-failure",
    "breach-of-confidentiality", "non-repudiation-failure", "unauthorized-access-attempt",
    "delayed-information", "key-expired", "out-of-hours-activity", "configuration-out-of-date",
    "configuration-provisioning-required", "certificate-expiration", "unknown"};

}  // namespace

std::string_view to_string(AlarmType t) {
  switch (t) {
    case AlarmType::Other: return "other";
    case AlarmType::Communication: return "communication";
    case AlarmType::Qos: return "qos";
    case AlarmType::ProcessingError: return "processing-error";
    case AlarmType::Equipment: return "equipment";
    case AlarmType::Environmental: return "environmental";
    case AlarmType::IntegrityViolation: return "integrity-violation";
    case AlarmType::OperationalViolation: return "operational-violation";
    case AlarmType::PhysicalViolation: return "physical-violation";
    case AlarmType::SecurityServiceOrMechanismViolation: return "security-service-or-mechanism-violation";
    case AlarmType::TimeDomainViolation: return "time-domain-violation";
    case AlarmType::Unset: return "";
  }
  return "";
}

std::optional<AlarmType> parse_alarm_type(std::string_view s) {
  for (AlarmType t : kTypes)
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::span<const AlarmType> all_alarm_types() { return kTypes; }

std::string alarm_type_names() {
  std::string out;
  for (AlarmType t : kTypes) out += (out.empty() ? "" : ", ") + std::string(to_string(t));
  return out;
}

bool is_probable_cause(std::string_view s) {
  return std::find(kCauses.begin(), kCauses.end(), s) != kCauses.end();
}

std::span<const std::string_view> all_probable_causes() { return kCauses; }

}  // namespace roost::fm
