#include "report/commit_json.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "audit/audit.h"
#include "detect/markers.h"
#include "util/utf8.h"

namespace trailgate::report {

namespace {

// Appends `text` with invalid UTF-8 replaced; `escape` handles each ASCII byte.
template <typename Escape>
void append_utf8(std::string& out, std::string_view text, Escape escape) {
  while (!text.empty()) {
    std::size_t n = util::utf8_sequence_length(text, 0);
    if (n == 0) {
      out += util::kReplacementCharacter;
      n = 1;
    } else if (n == 1) {
      escape(out, text[0]);
    } else {
      out.append(text.data(), n);
    }
    text.remove_prefix(n);
  }
}

void append_bool(std::string& out, bool value) {
  out += value ? "true" : "false";
}

void append_int(std::string& out, long long value) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  bool negative = value < 0;
  unsigned long long v = negative ? 0ULL - static_cast<unsigned long long>(value)
                                  : static_cast<unsigned long long>(value);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative)
    *--p = '-';
  out.append(p, static_cast<std::size_t>(end - p));
}

// A string, or null when it is empty.
void append_string_or_null(std::string& out, std::string_view text) {
  if (text.empty())
    out += "null";
  else
    append_json_string(out, text);
}

void append_identity(std::string& out, const Identity& id) {
  out += "{\"name\":";
  append_json_string(out, id.name);
  out += ",\"email\":";
  append_json_string(out, id.email);
  out += ",\"date\":\"";
  audit::append_iso_time(out, id.time, id.offset_minutes);
  out += "\"}";
}

std::string_view kind_name(BlastReasonKind kind) {
  switch (kind) {
    case BlastReasonKind::sensitive_path:
      return "sensitive-path";
    case BlastReasonKind::deleted_files:
      return "deleted-files";
    case BlastReasonKind::deleted_share:
      return "deleted-share";
    case BlastReasonKind::recreated_directory:
      return "recreated-directory";
  }
  return "unknown";
}

// The name a review trailer's value gives ("Name" of "Reviewed-by: Name <email>"): the text
// after the key's ':' and before the first '<', without surrounding spaces; the whole value
// when it has no '<'.
std::string_view reviewer_name(std::string_view trailer) {
  std::size_t colon = trailer.find(':');
  if (colon != std::string_view::npos)
    trailer.remove_prefix(colon + 1);
  std::size_t open = trailer.find('<');
  if (open != std::string_view::npos)
    trailer = trailer.substr(0, open);
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!trailer.empty() && space(trailer.front()))
    trailer.remove_prefix(1);
  while (!trailer.empty() && space(trailer.back()))
    trailer.remove_suffix(1);
  return trailer;
}

// Appends an object whose values are all strings: {"key":"value",...}. `fields` are pairs of a
// key (plain ASCII, written as it is) and its untrusted value.
void append_strings_object(
    std::string& out, std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  char separator = '{';
  for (const auto& [key, value] : fields) {
    out += separator;
    separator = ',';
    out += '"';
    out += key;
    out += "\":";
    append_json_string(out, value);
  }
  out += '}';
}

// Appends `items` as a JSON array, `each` appending one item.
template <typename Items, typename Each>
void append_array(std::string& out, const Items& items, Each each) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first)
      out += ',';
    first = false;
    each(item);
  }
  out += ']';
}

// Calls `fn` once per distinct tool among `detections`, in order of first appearance.
template <typename Fn>
void for_each_tool(const std::vector<detect::Detection>& detections, Fn fn) {
  for (std::size_t i = 0; i < detections.size(); ++i) {
    const std::string& tool = detections[i].tool;
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j)
      seen = detections[j].tool == tool;
    if (!seen)
      fn(tool);
  }
}

// Appends review claims as the "reviews" array: who the trailer names, whom the roster matched,
// and whether (and why not) it counts.
void append_claims(std::string& out, const std::vector<review::ReviewClaim>& claims) {
  append_array(out, claims, [&](const review::ReviewClaim& c) {
    out += "{\"trailer\":";
    append_json_string(out, c.trailer);
    out += ",\"reviewer\":";
    append_strings_object(out, {{"name", reviewer_name(c.trailer)}, {"email", c.email}});
    out += ",\"person\":";
    append_json_string(out, c.person);
    out += ",\"verified\":";
    append_bool(out, c.status == review::ClaimStatus::verified);
    out += ",\"status\":\"";
    out += review::to_string(c.status);
    out += "\",\"reason\":";
    append_json_string(out, c.reason);
    out += '}';
  });
}

// Appends one detection: the marker, its class, where it matched, and what it names ("agent",
// "model", "tools" only when the marker says).
void append_detection(std::string& out, const detect::Detection& d) {
  out += "{\"id\":";
  append_json_string(out, d.marker_id);
  out += ",\"tool\":";
  append_json_string(out, d.tool);
  out += ",\"class\":\"";
  out += detect::to_string(d.marker_class);
  out += "\",\"evidence\":";
  append_json_string(out, d.evidence);
  if (!d.agent.empty()) {
    out += ",\"agent\":";
    append_json_string(out, d.agent);
  }
  if (!d.model.empty()) {
    out += ",\"model\":";
    append_json_string(out, d.model);
  }
  if (!d.tools.empty()) {
    out += ",\"tools\":";
    append_array(out, d.tools, [&](const std::string& tool) { append_json_string(out, tool); });
  }
  out += '}';
}

// Appends one responsible identity: {role, name, email, person|null, bot, level}.
void append_responsible(std::string& out, const ResponsibleHuman& h) {
  out += "{\"role\":\"";
  out += to_string(h.role);
  out += "\",\"name\":";
  append_json_string(out, h.name);
  out += ",\"email\":";
  append_json_string(out, h.email);
  out += ",\"person\":";
  append_string_or_null(out, h.person);
  out += ",\"bot\":";
  append_bool(out, h.bot);
  out += ",\"level\":";
  append_string_or_null(out, h.level);
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  while (!text.empty()) {
    // Runs of printable ASCII other than '"' and '\\' are copied as they are.
    std::size_t plain = 0;
    while (plain < text.size()) {
      auto u = static_cast<unsigned char>(text[plain]);
      if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\')
        break;
      ++plain;
    }
    out.append(text.data(), plain);
    text.remove_prefix(plain);
    if (text.empty())
      break;
    std::size_t n = util::utf8_sequence_length(text, 0);
    if (n == 0) {
      out += util::kReplacementCharacter;
      n = 1;
    } else if (n > 1) {
      out.append(text.data(), n);
    } else {
      char c = text[0];
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          auto u = static_cast<unsigned char>(c);
          const char escaped[6] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
          out.append(escaped, sizeof escaped);
        }
      }
    }
    text.remove_prefix(n);
  }
  out += '"';
}

std::string valid_utf8(std::string_view text) {
  return util::utf8_replace_invalid_bytes(text);
}

void append_commit_json_without_ref(std::string& out, const CommitEvaluation& e, int lines_changed,
                                    std::size_t& ref_at) {
  out += "{\"schema\":\"";
  out += kCommitSchema;
  out += "\",\"id\":";
  append_json_string(out, e.id);
  out += ",\"subject\":";
  append_json_string(out, e.subject);
  out += ",\"ref\":";
  ref_at = out.size();
  out += ",\"author\":";
  append_identity(out, e.author);
  out += ",\"committer\":";
  append_identity(out, e.committer);
  out += ",\"responsible\":";
  append_array(out, e.responsible, [&](const ResponsibleHuman& h) { append_responsible(out, h); });
  out += ",\"author_level\":";
  append_string_or_null(out, e.author_level);
  out += ",\"verdict\":\"";
  out += to_string(e.verdict);
  out += "\",\"violation\":";
  append_bool(out, is_violation(e.verdict));
  out += ",\"ai_assisted\":";
  append_bool(out, e.ai_assisted());
  out += ",\"agent_authored\":";
  append_bool(out, e.agent_authored);
  out += ",\"tools\":[";
  bool first = true;
  for_each_tool(e.detections, [&](const std::string& tool) {
    if (!first)
      out += ',';
    first = false;
    append_json_string(out, tool);
  });
  out += "],\"markers\":";
  append_array(out, e.detections, [&](const detect::Detection& d) { append_detection(out, d); });
  out += ",\"trailers\":";
  append_array(out, e.trailers, [&](const trailers::Trailer& t) {
    append_strings_object(out, {{"key", t.key}, {"value", t.value}});
  });
  out += ",\"declaration\":";
  if (e.declaration)
    append_json_string(out, *e.declaration);
  else
    out += "null";
  out += ",\"review_required\":";
  append_bool(out, e.review_required);
  out += ",\"required_level\":";
  append_string_or_null(out, e.review_required ? std::string_view(e.required.min_level) : "");
  out += ",\"approvals_required\":";
  append_int(out, e.approvals_required);
  out += ",\"approvals_verified\":";
  append_int(out, e.reviews.verified);
  out += ",\"blast_reasons\":";
  append_array(out, e.blast_reasons, [&](const BlastReason& b) {
    out += "{\"kind\":\"";
    out += kind_name(b.kind);
    out += "\",\"approvals\":";
    append_int(out, b.requirement.approvals);
    out += ",\"min_level\":";
    append_json_string(out, b.requirement.min_level);
    out += ",\"policy_line\":";
    append_int(out, b.source_line);
    out += ",\"message\":";
    append_json_string(out, b.message);
    out += '}';
  });
  out += ",\"changes_unread\":";
  append_bool(out, e.changes_unread);
  out += ",\"reviews\":";
  append_claims(out, e.reviews.claims);
  out += ",\"late_reviews\":";
  append_claims(out, e.late_reviews.claims);
  out += ",\"findings\":";
  append_array(out, e.findings, [&](const Finding& f) {
    append_strings_object(out, {{"rule", f.rule}, {"problem", f.problem}, {"fix", f.fix}});
  });
  out += ",\"lines_changed\":";
  if (lines_changed < 0)
    out += "null";
  else
    append_int(out, lines_changed);
  out += ",\"catalogue_version\":";
  append_json_string(out, detect::catalogue_version());
  out += '}';
}

void append_commit_json(std::string& out, const CommitEvaluation& evaluation, int lines_changed) {
  std::size_t ref_at = 0;
  append_commit_json_without_ref(out, evaluation, lines_changed, ref_at);
  // The ref's string goes in the middle: render it after the rest and rotate it into place,
  // which costs no second buffer.
  std::size_t end = out.size();
  append_json_string(out, evaluation.ref);
  std::rotate(out.begin() + static_cast<long>(ref_at), out.begin() + static_cast<long>(end),
              out.end());
}

std::string commit_csv_header() {
  return "id,ref,author_name,author_email,author_date,committer_name,committer_email,"
         "committer_date,author_level,verdict,violation,ai_assisted,agent_authored,tools,markers,"
         "declaration,review_required,required_level,approvals_required,approvals_verified,"
         "blast_reasons,changes_unread,reviews,late_reviews,findings,lines_changed,"
         "catalogue_version,subject\r\n";
}

void neutralise_csv_formula(std::string& out, std::size_t at) {
  if (at < out.size() && (out[at] == '=' || out[at] == '+' || out[at] == '-' || out[at] == '@' ||
                          out[at] == '\t' || out[at] == '\r'))
    out.insert(at, 1, '\'');
}

void append_csv_cell(std::string& out, std::string_view text) {
  out += '"';
  const std::size_t at = out.size();
  append_utf8(out, text, [](std::string& o, char c) {
    if (c == '"')
      o += '"';
    o += c;
  });
  neutralise_csv_formula(out, at);
  out += '"';
}

void append_commit_csv(std::string& out, const CommitEvaluation& e, int lines_changed) {
  std::size_t cell = 0;  // where the open cell's text starts
  auto open = [&] {
    out += '"';
    cell = out.size();
  };
  auto text = [&](std::string_view s) {
    append_utf8(out, s, [](std::string& o, char c) {
      if (c == '"')
        o += '"';
      o += c;
    });
  };
  auto close = [&](bool last = false) {
    neutralise_csv_formula(out, cell);
    out += last ? "\"\r\n" : "\",";
  };
  auto field = [&](std::string_view s) {
    open();
    text(s);
    close();
  };
  auto number = [&](long long n) {
    open();
    append_int(out, n);
    close();
  };
  auto date = [&](const Identity& id) {
    open();
    audit::append_iso_time(out, id.time, id.offset_minutes);
    close();
  };
  // A list field: the items joined by ';'.
  auto list = [&](auto&& items) {
    open();
    bool first = true;
    items([&](std::string_view item) {
      if (!first)
        out += ';';
      first = false;
      text(item);
    });
    close();
  };
  field(e.id);
  field(e.ref);
  field(e.author.name);
  field(e.author.email);
  date(e.author);
  field(e.committer.name);
  field(e.committer.email);
  date(e.committer);
  field(e.author_level);
  field(to_string(e.verdict));
  field(is_violation(e.verdict) ? "true" : "false");
  field(e.ai_assisted() ? "true" : "false");
  field(e.agent_authored ? "true" : "false");
  list([&](auto add) { for_each_tool(e.detections, add); });
  list([&](auto add) {
    for (const auto& d : e.detections)
      add(d.marker_id);
  });
  field(e.declaration ? std::string_view(*e.declaration) : "");
  field(e.review_required ? "true" : "false");
  field(e.review_required ? std::string_view(e.required.min_level) : "");
  number(e.approvals_required);
  number(e.reviews.verified);
  list([&](auto add) {
    for (const auto& b : e.blast_reasons)
      add(kind_name(b.kind));
  });
  field(e.changes_unread ? "true" : "false");
  // Review claims as "email=status" (the trailer's name when it has no email).
  auto claims = [&](const std::vector<review::ReviewClaim>& all) {
    list([&](auto add) {
      std::string item;
      for (const auto& c : all) {
        item = c.email.empty() ? std::string(reviewer_name(c.trailer)) : c.email;
        item += '=';
        item += review::to_string(c.status);
        add(item);
      }
    });
  };
  claims(e.reviews.claims);
  claims(e.late_reviews.claims);
  list([&](auto add) {
    for (const auto& f : e.findings)
      add(f.rule);
  });
  if (lines_changed < 0)
    field("");
  else
    number(lines_changed);
  field(detect::catalogue_version());
  open();
  text(e.subject);
  close(true);
}

}  // namespace trailgate::report
