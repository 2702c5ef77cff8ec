#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <map>
#include <utility>
#include <vector>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kDetectKeys[] = {"builtin", "marker"};
constexpr std::string_view kMarkerKeys[] = {"id",       "tool",  "trailer", "value",
                                            "identity", "field", "body",    "class"};

}  // namespace

void PolicyBuilder::read_detect(const toml::table& detect) {
  r_.reject_unknown_keys(detect, "detect", kDetectKeys);
  if (auto builtin = r_.boolean(detect, "builtin", "detect"))
    policy_.detect.builtin = *builtin;
  std::map<std::string, std::size_t> ids;
  std::vector<const toml::table*> markers = r_.tables(detect, "marker", "detect");
  for (std::size_t i = 0; i < markers.size(); ++i) {
    if (markers[i] == nullptr)
      continue;
    const toml::table& entry = *markers[i];
    const std::string path = element_path("detect.marker", i);
    r_.reject_unknown_keys(entry, path, kMarkerKeys);
    detect::MarkerSpec spec;

    if (auto id = r_.required_string(entry, "id", path, "every marker needs a unique id")) {
      if (auto [it, inserted] = ids.emplace(id->value, i); !inserted) {
        r_.error(id->where, child_path(path, "id"),
                 fmt::format("{} is already the id of detect.marker[{}]", quoted(id->value),
                             it->second));
      }
      spec.id = id->value;
    }
    if (auto tool = r_.required_string(entry, "tool", path, "name the tool, e.g. \"Acme AI\"")) {
      spec.tool = tool->value;
    }

    // Exactly one source, so a marker means one thing.
    std::vector<std::string_view> sources;
    for (std::string_view key : {"trailer", "identity", "body"}) {
      if (entry.contains(key))
        sources.push_back(key);
    }
    if (sources.empty()) {
      r_.error(entry.source(), path, "set exactly one of trailer, identity or body");
    } else if (sources.size() > 1) {
      r_.error(entry.get(sources[1])->source(), path,
               fmt::format("sets both {} and {}; a marker has exactly one of trailer, "
                           "identity or body (use one [[detect.marker]] for each)",
                           sources[0], sources[1]));
    }
    const std::string_view source = sources.size() == 1 ? sources[0] : std::string_view();

    if (auto trailer = r_.nonempty_string(entry, "trailer", path)) {
      if (!is_token(trailer->value)) {
        r_.error(trailer->where, child_path(path, "trailer"),
                 fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                             quoted(trailer->value)));
      }
      spec.source = detect::MarkerSource::trailer;
      spec.trailer_key = trailer->value;
    }
    if (auto value = r_.string(entry, "value", path)) {
      if (entry.contains("trailer")) {
        spec.pattern = value->value;
      } else {
        r_.error(value->where, child_path(path, "value"),
                 "only applies to a trailer marker (set trailer = \"Key\")");
      }
    }
    if (auto identity = r_.nonempty_string(entry, "identity", path)) {
      spec.source = detect::MarkerSource::identity;
      spec.pattern = identity->value;
    }
    if (auto field = r_.string(entry, "field", path)) {
      if (!entry.contains("identity")) {
        r_.error(field->where, child_path(path, "field"),
                 "only applies to an identity marker (set identity = \"regex\")");
      } else if (field->value == "name") {
        spec.identity_field = detect::IdentityField::name;
      } else if (field->value == "email") {
        spec.identity_field = detect::IdentityField::email;
      } else if (field->value == "either") {
        spec.identity_field = detect::IdentityField::either;
      } else {
        r_.error(field->where, child_path(path, "field"),
                 fmt::format("unknown value {} (expected \"name\", \"email\" or \"either\")",
                             quoted(field->value)));
      }
    }
    if (auto body = r_.nonempty_string(entry, "body", path)) {
      spec.source = detect::MarkerSource::body;
      spec.pattern = body->value;
    }
    // An identity marker says who wrote the commit: when it matches, the AI is the author.
    // Anything else is a disclosure in a human's commit.
    spec.marker_class =
        source == "identity" ? detect::MarkerClass::agent : detect::MarkerClass::assisted;
    if (auto marker_class = r_.string(entry, "class", path)) {
      if (marker_class->value == "agent") {
        spec.marker_class = detect::MarkerClass::agent;
      } else if (marker_class->value == "assisted") {
        spec.marker_class = detect::MarkerClass::assisted;
      } else {
        r_.error(marker_class->where, child_path(path, "class"),
                 fmt::format("unknown value {} (expected \"agent\" or \"assisted\")",
                             quoted(marker_class->value)));
      }
    }
    if (!source.empty())
      policy_.detect.markers.push_back(std::move(spec));
  }
}

}  // namespace trailgate::policy_load
