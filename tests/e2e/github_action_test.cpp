// End-to-end: the GitHub Action (action.yml) run step by step on this machine, the way the runner
// runs a composite Action: action.yml is read, each step's `env:` is evaluated (inputs, the
// event, earlier steps' outputs), and its `run:` script is run with bash, with GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, RUNNER_TEMP and GITHUB_WORKSPACE in scratch
// directories. The "origin" is a real local bare repository at $GITHUB_SERVER_URL/acme/widgets.git
// with a pull request ref (refs/pull/1/head) and the policy on its base branch. The install step
// is given the built binary (input trailgate-path), so nothing is built.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/ci_validate.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

using json = nlohmann::json;
using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::parse_workflow_command;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::sarif_schema_errors;
using trailgate::testing::signature_policy;
using trailgate::testing::SshKey;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::text_lines;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
using trailgate::testing::yaml_as_json;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TRAILGATE_SOURCE_DIR;

// action.yml as JSON (YAML read by python3-yaml, the way any YAML reader would).
json load_action() {
  return json::parse(yaml_as_json(kSource / "action.yml"));
}

// `name=value` lines of a GITHUB_OUTPUT file (the only form the Action's scripts write).
std::map<std::string, std::string> read_outputs(const fs::path& file) {
  std::map<std::string, std::string> out;
  for (const std::string& line : text_lines(read_file(file))) {
    INFO("GITHUB_OUTPUT line: " << line);
    const std::size_t eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    REQUIRE(line.find("<<") == std::string::npos);
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

struct StepRun {
  std::string id;
  ProcessResult result;
  std::map<std::string, std::string> outputs;
  std::string summary;
};

struct ActionRun {
  int exit_code = 0;  // the first failing step's, else 0
  std::string out;    // every step's stdout, in order (what the runner reads commands from)
  std::string err;
  std::vector<StepRun> steps;
  std::string summary;  // every step's summary, in order

  const StepRun& step(const std::string& id) const {
    for (const StepRun& s : steps)
      if (s.id == id)
        return s;
    FAIL("step " << id << " did not run");
    return steps.front();
  }
  std::vector<trailgate::testing::WorkflowCommand> commands(const std::string& name) const {
    std::vector<trailgate::testing::WorkflowCommand> found;
    for (const std::string& line : text_lines(out))
      if (line.rfind("::" + name + " ", 0) == 0 || line.rfind("::" + name + "::", 0) == 0)
        found.push_back(parse_workflow_command(line));
    return found;
  }
};

// A GitHub runner, as far as a composite Action of `run:` steps sees it.
class Runner {
 public:
  // The origin is served at $GITHUB_SERVER_URL/acme/widgets.git, a link to `origin`.
  explicit Runner(const fs::path& origin) {
    fs::create_directories(dir_.path() / "server" / "acme");
    fs::create_directory_symlink(origin, dir_.path() / "server" / "acme" / "widgets.git");
  }

  // Runs action.yml's steps with `inputs` on `event` (a GitHub event payload) of `event_name`.
  ActionRun run_action(const std::string& event_name, const json& event,
                       const std::map<std::string, std::string>& inputs) {
    const fs::path run_dir = dir_.path() / ("run" + std::to_string(++runs_));
    const fs::path temp = run_dir / "runner-temp";
    const fs::path workspace = run_dir / "workspace";
    fs::create_directories(temp);
    fs::create_directories(workspace);
    write_file(run_dir / "event.json", event.dump(2));
    std::map<std::string, std::string> env = {
        {"CI", "true"},
        {"GITHUB_ACTIONS", "true"},
        {"GITHUB_EVENT_NAME", event_name},
        {"GITHUB_EVENT_PATH", (run_dir / "event.json").string()},
        {"GITHUB_WORKSPACE", workspace.string()},
        {"GITHUB_SERVER_URL", "file://" + (dir_.path() / "server").string()},
        {"GITHUB_REPOSITORY", "acme/widgets"},
        {"GITHUB_ACTION_PATH", kSource.string()},
        {"RUNNER_TEMP", temp.string()},
    };
    if (event.contains("pull_request")) {
      env["GITHUB_BASE_REF"] = event["pull_request"]["base"]["ref"];
      env["GITHUB_HEAD_REF"] = event["pull_request"]["head"]["ref"];
    }

    ActionRun result;
    std::map<std::string, std::map<std::string, std::string>> outputs;
    int index = 0;
    for (const json& step : action_["runs"]["steps"]) {
      const std::string id = step.value("id", "step" + std::to_string(index));
      INFO("step " << id);
      REQUIRE_FALSE(step.contains("if"));  // not modelled here: a step that may not run
      REQUIRE(step.value("shell", "") == "bash");
      const fs::path output = run_dir / ("output-" + std::to_string(index));
      const fs::path summary = run_dir / ("summary-" + std::to_string(index));
      write_file(output, "");
      write_file(summary, "");
      std::map<std::string, std::string> step_env = env;
      step_env["GITHUB_OUTPUT"] = output.string();
      step_env["GITHUB_STEP_SUMMARY"] = summary.string();
      if (step.contains("env"))
        for (const auto& [key, value] : step["env"].items())
          step_env[key] = evaluate(value.get<std::string>(), event, inputs, outputs);
      const fs::path script = run_dir / ("step-" + std::to_string(index) + ".sh");
      write_file(script, step["run"].get<std::string>());
      StepRun s;
      s.id = id;
      // The runner's `shell: bash`.
      s.result = run({"bash", "--noprofile", "--norc", "-eo", "pipefail", script.string()},
                     workspace, "", step_env);
      s.outputs = read_outputs(output);
      s.summary = read_file(summary);
      outputs[id] = s.outputs;
      result.out += s.result.out;
      result.err += s.result.err;
      result.summary += s.summary;
      result.steps.push_back(s);
      ++index;
      if (s.result.exit_code != 0) {
        result.exit_code = s.result.exit_code;
        break;
      }
    }
    workspace_ = workspace;
    return result;
  }

  const fs::path& workspace() const { return workspace_; }

 private:
  // The ${{ }} expressions action.yml uses: inputs.*, github.event.*, github.action_path,
  // github.token and steps.<id>.outputs.<name>. Anything else fails the test.
  std::string evaluate(const std::string& text, const json& event,
                       const std::map<std::string, std::string>& inputs,
                       const std::map<std::string, std::map<std::string, std::string>>& outputs) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
      const std::size_t open = text.find("${{", pos);
      if (open == std::string::npos)
        break;
      const std::size_t close = text.find("}}", open);
      REQUIRE(close != std::string::npos);
      out += text.substr(pos, open - pos);
      std::string expr = text.substr(open + 3, close - open - 3);
      expr.erase(0, expr.find_first_not_of(' '));
      expr.erase(expr.find_last_not_of(' ') + 1);
      out += value_of(expr, event, inputs, outputs);
      pos = close + 2;
    }
    return out + text.substr(pos);
  }

  std::string value_of(const std::string& expr, const json& event,
                       const std::map<std::string, std::string>& inputs,
                       const std::map<std::string, std::map<std::string, std::string>>& outputs) {
    INFO("expression " << expr);
    const auto starts = [&](const std::string& prefix) { return expr.rfind(prefix, 0) == 0; };
    if (starts("inputs.")) {
      const std::string name = expr.substr(7);
      REQUIRE(action_["inputs"].contains(name));
      if (auto it = inputs.find(name); it != inputs.end())
        return it->second;
      return evaluate(action_["inputs"][name].value("default", ""), event, inputs, outputs);
    }
    if (expr == "github.action_path")
      return kSource.string();
    if (expr == "github.token")
      return "ghs_not_a_real_token";
    if (starts("github.event.")) {
      const json* node = &event;
      std::string rest = expr.substr(13);
      while (!rest.empty()) {
        const std::size_t dot = rest.find('.');
        const std::string key = rest.substr(0, dot);
        rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
        if (!node->is_object() || !node->contains(key))
          return "";  // GitHub gives an empty string for what the event lacks
        node = &(*node)[key];
      }
      return node->is_string() ? node->get<std::string>() : node->dump();
    }
    if (starts("steps.")) {
      const std::size_t dot = expr.find(".outputs.");
      REQUIRE(dot != std::string::npos);
      const std::string id = expr.substr(6, dot - 6);
      const std::string name = expr.substr(dot + 9);
      const auto step = outputs.find(id);
      if (step == outputs.end())
        return "";
      const auto it = step->second.find(name);
      return it == step->second.end() ? "" : it->second;
    }
    FAIL("action.yml uses an expression this runner does not model: " << expr);
    return "";
  }

  TempDir dir_;
  json action_ = load_action();
  int runs_ = 0;
  fs::path workspace_;
};

json pull_request_event(const std::string& action, const std::string& base,
                        const std::string& head) {
  return json{{"action", action},
              {"number", 1},
              {"repository", {{"full_name", "acme/widgets"}}},
              {"pull_request",
               {{"number", 1},
                {"base", {{"ref", "main"}, {"sha", base}}},
                {"head", {{"ref", "feature"}, {"sha", head}}}}}};
}

// The origin: main holds the policy (a senior's signed review for AI-assisted work), and
// pull request #1 (refs/pull/1/head, branch feature in the clone) adds an unreviewed AI commit.
struct PullRequest {
  TempDir keys;
  SshKey senior = trailgate::testing::make_ssh_key(keys.path(), "senior", "ed25519");
  std::string policy = signature_policy({kSeniorOne.with_keys({senior.public_key}), kJuniorOne},
                                        {protect({"refs/heads/main"})});
  TempRepo repo{policy};
  std::string base, ai;

  PullRequest() {
    write_file(repo.clone() / ".trailgate.toml", policy);
    repo.git({"add", ".trailgate.toml"});
    base = repo.commit("Add the policy", ident(kSeniorOne));
    REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
    repo.branch("feature");
    ai = repo.commit(ai_message("Add retry logic"), ident(kJuniorOne), "", "src/retry.c");
    REQUIRE(repo.push("feature:refs/pull/1/head").exit_code == 0);
  }
};

const std::map<std::string, std::string> kInputs = {{"trailgate-path", trailgate_binary()},
                                                    {"sarif-file", "trailgate.sarif"}};

}  // namespace

TEST_CASE("action: fails on an unreviewed AI commit, passes after trailgate approve",
          "[e2e][ci][action]") {
  PullRequest pr;
  Runner runner(pr.repo.server());

  ActionRun failed = runner.run_action("pull_request_target",
                                       pull_request_event("opened", pr.base, pr.ai), kInputs);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 1);
  REQUIRE(failed.steps.size() == 3);
  CHECK(failed.step("install").outputs.at("trailgate") == trailgate_binary());

  // The commits were fetched as objects into a bare repository: nothing was checked out.
  const StepRun& fetch = failed.step("fetch");
  CHECK(fetch.outputs.at("base") == pr.base);
  CHECK(fetch.outputs.at("head") == pr.ai);
  CHECK(fetch.outputs.at("ref") == "refs/heads/main");
  const fs::path fetched = fetch.outputs.at("repo");
  CHECK(run_ok({"git", "rev-parse", "--is-bare-repository"}, fetched) == "true\n");
  CHECK_FALSE(fs::exists(fetched / "src"));
  CHECK(run_ok({"git", "cat-file", "-t", pr.ai}, fetched) == "commit\n");
  // The token went to git as per-process configuration, not into the repository's config.
  CHECK(read_file(fetched / "config").find("extraheader") == std::string::npos);
  // The workspace is as the Action found it, but for the SARIF file it was asked for.
  for (const auto& entry : fs::directory_iterator(runner.workspace()))
    CHECK(entry.path().filename() == "trailgate.sarif");

  // One error annotation on the AI commit, naming it, on the file it changes.
  bool named = false;
  for (const auto& command : failed.commands("error")) {
    if (command.property("file").empty())
      continue;
    CHECK(command.property("file") == "src/retry.c");
    CHECK_THAT(command.property("title"), Catch::Contains("ai-review-required"));
    CHECK_THAT(command.property("title"), Catch::Contains(pr.ai.substr(0, 12)));
    named = named || command.message.find(pr.ai) != std::string::npos;
  }
  CHECK(named);
  CHECK_FALSE(failed.commands("notice").empty());  // the policy it read, from the base
  CHECK_THAT(failed.out, Catch::Contains(pr.base));
  CHECK_THAT(failed.summary, Catch::Contains(pr.ai.substr(0, 12)));
  CHECK_THAT(failed.summary, Catch::Contains("| commit | subject | rule | problem | fix |"));

  const StepRun& check = failed.step("check");
  CHECK(check.outputs.at("verdict") == "rejected");
  CHECK(check.outputs.at("exit-code") == "1");
  CHECK(check.outputs.at("sarif") == "trailgate.sarif");
  const std::string sarif = read_file(runner.workspace() / "trailgate.sarif");
  CHECK(sarif_schema_errors(sarif).empty());
  const json results = json::parse(sarif)["runs"][0]["results"];
  REQUIRE(results.size() == 1);
  CHECK(results[0]["properties"]["commit"] == pr.ai);

  // A senior approves the commit; the pull request's ref moves to the approved commit.
  ProcessResult approve =
      run({trailgate_binary(), "approve", "--key", pr.senior.path, "--as", ident(kSeniorOne)},
          pr.repo.clone());
  INFO(approve.out << approve.err);
  REQUIRE(approve.exit_code == 0);
  const std::string approved = pr.repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  REQUIRE(approved != pr.ai);
  REQUIRE(pr.repo.push("+feature:refs/pull/1/head").exit_code == 0);

  ActionRun passed = runner.run_action(
      "pull_request_target", pull_request_event("synchronize", pr.base, approved), kInputs);
  INFO(passed.out << passed.err);
  CHECK(passed.exit_code == 0);
  CHECK(passed.step("fetch").outputs.at("head") == approved);
  CHECK(passed.commands("error").empty());
  CHECK(passed.step("check").outputs.at("verdict") == "passed");
  CHECK(passed.step("check").outputs.at("exit-code") == "0");
  CHECK(
      json::parse(read_file(runner.workspace() / "trailgate.sarif"))["runs"][0]["results"].empty());
}

TEST_CASE("action: an event without a pull request fails, never passes", "[e2e][ci][action]") {
  PullRequest pr;
  Runner runner(pr.repo.server());
  ActionRun r = runner.run_action(
      "push", json{{"ref", "refs/heads/main"}, {"before", pr.base}, {"after", pr.ai}}, kInputs);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.steps.back().id == "fetch");
  CHECK_THAT(r.out, Catch::Contains("::error title=trailgate fetch::no pull request"));
}

TEST_CASE("action: a pull request that moved on since the event is judged at the event's head",
          "[e2e][ci][action]") {
  PullRequest pr;
  Runner runner(pr.repo.server());
  // The event names the AI commit; the pull request has since gained another commit.
  pr.repo.commit("Tidy up", ident(kJuniorOne));
  REQUIRE(pr.repo.push("feature:refs/pull/1/head").exit_code == 0);
  ActionRun r =
      runner.run_action("pull_request", pull_request_event("opened", pr.base, pr.ai), kInputs);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.step("fetch").outputs.at("head") == pr.ai);
  CHECK_THAT(r.out, Catch::Contains("pull request #1 is now at"));
}
