#include "review/responsible.h"

#include <algorithm>
#include <utility>

#include "review/review.h"
#include "trailers/trailers.h"
#include "util/ascii.h"

namespace trailgate::review {

namespace {

constexpr std::string_view kCoAuthorKey = "Co-authored-by";

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size())
    return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i)
    if (util::iequals(text.substr(i, needle.size()), needle))
      return true;
  return false;
}

bool looks_like_bot(std::string_view name, std::string_view email) {
  return contains_ignoring_case(name, "[bot]") || contains_ignoring_case(email, "[bot]");
}

// The roster person one of whose emails has the skeleton `skeleton`, or nullptr.
// One identity a Co-authored-by line names: the text before the address, and the address.
struct Named {
  std::string name;
  std::string email;
};

// Every "<...@...>" group of `value`, with the text before it as the name: a value that names
// two people names both.
void add_identities(std::string_view value, std::vector<Named>& out) {
  std::size_t name_start = 0;
  std::size_t pos = 0;
  while ((pos = value.find('<', pos)) != std::string_view::npos) {
    const std::size_t close = value.find('>', pos + 1);
    if (close == std::string_view::npos)
      break;
    std::string_view email = value.substr(pos + 1, close - pos - 1);
    // The innermost group: a '<' inside starts a new one.
    const std::size_t inner = email.rfind('<');
    if (inner != std::string_view::npos) {
      pos += inner + 1;
      continue;
    }
    if (!email.empty() && email.find('@') != std::string_view::npos) {
      std::string_view name = trailers::trim(value.substr(name_start, pos - name_start));
      while (!name.empty() && (name.front() == ',' || name.front() == ';'))
        name = trailers::trim(name.substr(1));
      out.push_back({std::string(name), std::string(trailers::trim(email))});
    }
    name_start = close + 1;
    pos = close + 1;
  }
}

// The identities of every Co-authored-by line of `message`, in message order: the trailers
// git's block holds and every trailer-shaped line anywhere else (a line at column 0, then the
// key, optional blanks and ':'; lines after it that start with a blank continue it). The whole
// text is read, NUL bytes included.
void co_author_lines(std::string_view message, std::vector<Named>& out) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    if (end == std::string_view::npos)
      end = message.size();
    const std::string_view line = message.substr(pos, end - pos);
    std::size_t next = end < message.size() ? end + 1 : end;
    const std::ptrdiff_t sep = trailers::find_separator(line);
    if (sep < 1 || !trailers::key_equals(trailers::trim(line.substr(0, sep)), kCoAuthorKey)) {
      pos = next;
      continue;
    }
    // Continuation lines: non-blank lines that start with a space or a tab.
    std::size_t value_end = end;
    while (next < message.size() && (message[next] == ' ' || message[next] == '\t')) {
      std::size_t cont_end = message.find('\n', next);
      if (cont_end == std::string_view::npos)
        cont_end = message.size();
      if (trailers::trim(message.substr(next, cont_end - next)).empty())
        break;
      value_end = cont_end;
      next = cont_end < message.size() ? cont_end + 1 : cont_end;
    }
    const std::size_t value_start = pos + static_cast<std::size_t>(sep) + 1;
    add_identities(trailers::unfold_value(message.substr(value_start, value_end - value_start)),
                   out);
    if (value_end != end)  // the key's own line alone, too
      add_identities(message.substr(value_start, end - value_start), out);
    pos = next;
  }
}

bool agent_identity_detection(const detect::Detection& d) {
  return d.marker_class == detect::MarkerClass::agent &&
         (d.evidence.starts_with("author name ") || d.evidence.starts_with("author email "));
}

// True when some detection quotes `email`: the co-author line is an AI tool's, not a human's.
bool named_by_detection(const std::vector<detect::Detection>& detections, std::string_view email) {
  return std::any_of(detections.begin(), detections.end(), [&](const detect::Detection& d) {
    return contains_ignoring_case(d.evidence, email);
  });
}

}  // namespace

Responsibility responsibility_of(const CommitInfo& commit,
                                 const std::vector<trailers::Trailer>& trailers,
                                 const std::vector<detect::Detection>& detections,
                                 const Policy& policy) {
  Responsibility out;
  const std::string& lowest = policy.levels.front();
  out.agent_authored = std::any_of(
      detections.begin(), detections.end(),
      [](const detect::Detection& d) { return d.marker_class == detect::MarkerClass::agent; });

  // What has been listed: roster people, and skeletons of identities not on the roster.
  std::vector<const Person*> listed_people;
  std::vector<std::string> listed_skeletons;
  auto listed = [&](const Person* person, const std::string& skeleton) {
    if (person)
      return std::find(listed_people.begin(), listed_people.end(), person) != listed_people.end();
    return std::find(listed_skeletons.begin(), listed_skeletons.end(), skeleton) !=
           listed_skeletons.end();
  };
  auto add = [&](ResponsibleHuman human, const Person* person, std::string skeleton) {
    if (person)
      listed_people.push_back(person);
    listed_skeletons.push_back(std::move(skeleton));
    out.humans.push_back(std::move(human));
  };

  {  // The author.
    ResponsibleHuman author;
    author.role = ResponsibleRole::author;
    author.name = commit.author.name;
    author.email = commit.author.email;
    author.bot = looks_like_bot(commit.author.name, commit.author.email) ||
                 std::any_of(detections.begin(), detections.end(), agent_identity_detection);
    // Only the exact address (ASCII case ignored) gives the author a roster level: a look-alike
    // address is somebody the roster does not know, judged at the lowest level.
    const Person* exact = policy.person_by_email(commit.author.email);
    const std::string skeleton = email_skeleton(commit.author.email);
    if (exact)
      author.person = exact->name;
    author.level = exact && !author.bot ? exact->level : lowest;
    add(std::move(author), exact ? exact : person_by_skeleton(policy, commit.author.email),
        skeleton);
  }

  // Every Co-authored-by identity, in the raw message and in every decoded reading. The
  // trailers of git's block are trailer-shaped lines too, so the scan finds them; `trailers` is
  // read as well in case a block line is not one (it always is today).
  std::vector<Named> named;
  for (const trailers::Trailer& t : trailers)
    if (trailers::key_equals(t.key, kCoAuthorKey))
      add_identities(t.value, named);
  co_author_lines(commit.message, named);
  for (const std::string& reading : commit.decoded_messages)
    co_author_lines(reading, named);

  for (const Named& n : named) {
    const std::string skeleton = email_skeleton(n.email);
    const Person* person = person_by_skeleton(policy, n.email);
    const bool bot = looks_like_bot(n.name, n.email);
    if (!person) {
      // Not on the roster: only an agent commit's named humans count (at the lowest level); an
      // AI tool's own co-author line is not a human.
      if (!out.agent_authored || bot || named_by_detection(detections, n.email))
        continue;
    }
    if (listed(person, skeleton))
      continue;
    ResponsibleHuman human;
    human.role = out.agent_authored ? ResponsibleRole::named_by_agent : ResponsibleRole::co_author;
    human.name = n.name;
    human.email = n.email;
    human.bot = bot;
    if (person)
      human.person = person->name;
    human.level = person && !bot ? person->level : lowest;
    add(std::move(human), person, skeleton);
  }

  // The author level: the lowest among them; an agent-authored commit is at the lowest level.
  int rank = static_cast<int>(policy.levels.size()) - 1;
  for (const ResponsibleHuman& human : out.humans) {
    const int r = policy.level_rank(human.level);
    rank = std::min(rank, r < 0 ? 0 : r);
  }
  if (out.agent_authored)
    rank = 0;
  out.author_level = policy.levels[static_cast<std::size_t>(std::max(rank, 0))];
  return out;
}

std::optional<ResponsibleRole> responsible_role(const Responsibility& responsible,
                                                std::string_view email, const Policy& policy) {
  const std::string skeleton = email_skeleton(email);
  if (skeleton.empty())
    return std::nullopt;
  // Every skeleton of the person `email` belongs to (just its own when not on the roster).
  std::vector<std::string> mine{skeleton};
  for (const Person& person : policy.people) {
    const bool is_mine =
        std::any_of(person.emails.begin(), person.emails.end(),
                    [&](const std::string& e) { return email_skeleton(e) == skeleton; });
    if (is_mine)
      for (const std::string& e : person.emails)
        mine.push_back(email_skeleton(e));
  }
  for (const ResponsibleHuman& human : responsible.humans) {
    const std::string theirs = email_skeleton(human.email);
    if (!theirs.empty() && std::find(mine.begin(), mine.end(), theirs) != mine.end())
      return human.role;
  }
  return std::nullopt;
}

}  // namespace trailgate::review
