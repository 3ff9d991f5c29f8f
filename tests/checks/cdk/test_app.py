"""The CDK pieces that need no installed app: finding an app and what is wrong with it, the
synth gate's refusals, reading creation stacks, the synth command, and whose cdk-nag
acknowledgement counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerSkipped
from reviewloop.checks.cdk.analyzers import NOT_RUN, CdkNag
from reviewloop.checks.cdk.app import CdkApp, cli_path, find_apps, nag_folder, project_nag
from reviewloop.checks.cdk.assembly import call_end, origin, stack_of, stacks, user_frame
from reviewloop.checks.cdk.gate import SynthGate
from reviewloop.checks.cdk.synth import synth_command
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import project_tests
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.suppressor import Suppressor
from reviewloop.config import Settings
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from reviewloop.review.definitions import load_agents
from reviewloop.review.evidence import run_for_agent
from tests.support.repos import run_worktree, write_files
from tests.support.suppression_trust import pr_repo

APP_JSON = '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n'


def _cli(root: Path) -> None:
    write_files(root, {"node_modules/.bin/cdk": "#!/bin/sh\n"})


def test_an_app_is_a_cdk_json_with_an_app_at_the_root_or_above_a_changed_file(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"cdk.json": APP_JSON, "infra/cdk.json": APP_JSON,
                           "node_modules/x/cdk.json": APP_JSON})
    _cli(tmp_path)

    assert find_apps(tmp_path) == [CdkApp("")]
    assert [a.folder for a in find_apps(tmp_path, ["infra/lib/stack.ts"])] == ["", "infra"]
    assert find_apps(tmp_path, ["node_modules/x/index.js"]) == [CdkApp("")]
    assert find_apps(tmp_path / "elsewhere") == []


def test_what_is_wrong_with_an_app_is_said_with_the_fix(tmp_path: Path) -> None:
    write_files(tmp_path, {"a/cdk.json": "{not json", "b/cdk.json": '{"context": {}}\n',
                           "c/cdk.json": APP_JSON})

    broken, no_app, no_cli = find_apps(tmp_path, ["a/x.ts", "b/x.ts", "c/x.ts"])

    assert "a/cdk.json cannot be read as JSON" in str(broken.problem)
    assert 'b/cdk.json names no "app"' in str(no_app.problem)
    assert "c/node_modules/.bin/cdk is missing" in str(no_cli.problem)
    assert "npm install --save-dev aws-cdk" in str(no_cli.problem)


def test_only_source_files_of_the_app_make_it_relevant() -> None:
    app = CdkApp("infra")

    assert app.relevant(["infra/lib/stack.ts"]) and app.relevant(["infra/cdk.context.json"])
    assert not app.relevant(["infra/README.md", "infra/node_modules/a/b.js", "web/x.ts"])
    assert not app.relevant(["infra/cdk.out/AppStack.template.json"])


def _gate(root: Path, changed: tuple[str, ...]) -> GateContext:
    return GateContext(root=root, settings=Settings(), changed_files=changed, diff_text="",
                       branch="work", default_branch="main", phase="implement")


def test_the_gate_fails_with_the_fix_when_the_app_has_no_cli_and_skips_other_changes(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"cdk.json": APP_JSON, "lib/stack.ts": "", "README.md": ""})

    failed = SynthGate().run(_gate(tmp_path, ("lib/stack.ts",)))
    skipped = SynthGate().run(_gate(tmp_path, ("README.md",)))

    assert not failed.passed and "npm install --save-dev aws-cdk" in failed.summary
    assert "npm install --save-dev aws-cdk" in failed.output_tail  # what the implementer reads
    assert skipped.skipped and "no CDK app" in skipped.summary


def test_the_first_frame_in_the_projects_own_source_is_the_constructs_line(
        tmp_path: Path) -> None:
    app = tmp_path / "infra"
    write_files(app, {"lib/stack.ts": "x\n", "node_modules/aws-cdk-lib/a.js": "y\n"})
    trace = ["...new Bucket2 in aws-cdk-lib...",
             f"new Wrapped ({app}/node_modules/aws-cdk-lib/a.js:3:1)",
             f"Function.Module._load ({tmp_path}/preload.js:23:23)",
             f"new Gone ({app}/lib/deleted.ts:4:2)",
             f"new AppStack ({app}/lib/stack.ts:9:5)",
             f"{app}/bin/app.ts:6:1"]

    assert user_frame(trace, tmp_path, app) == ("infra/lib/stack.ts", 9, 5)
    assert user_frame(trace[:3], tmp_path, app) is None


def test_a_construct_spans_its_creation_call_to_the_closing_parenthesis(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"stack.ts": "    const b = new s3.Bucket(this, 'B', {\n"      # 1
                                       "      lifecycleRules: [rule(30)],\n"              # 2
                                       "    });\n"                                         # 3
                                       "    new sqs.Queue(this, 'Q');\n"                   # 4
                                       "    new Broken(this, 'X', {\n"})                  # 5

    assert call_end(tmp_path / "stack.ts", 1, 15) == 3
    assert call_end(tmp_path / "stack.ts", 4, 5) == 4
    assert call_end(tmp_path / "stack.ts", 5, 5) == 5  # never closed: its first line
    assert call_end(tmp_path / "gone.ts", 7, 1) == 7


def test_the_synth_command_looks_up_nothing_and_writes_outside_the_project() -> None:
    out = Path("/tmp/rl/cdk.out")

    plain = synth_command(out, None, None)
    nag = synth_command(out, Path("/tmp/rl/hook.js"), Path("/p/node_modules/cdk-nag"))

    assert plain.endswith("synth --no-lookups --no-notices --no-version-reporting --quiet "
                          "--output /tmp/rl/cdk.out")
    assert "--stack-trace-limit=100" in plain and "REVIEWLOOP_CDK_NAG" not in plain
    assert "--require=/tmp/rl/hook.js" in nag
    assert "REVIEWLOOP_CDK_NAG=/p/node_modules/cdk-nag" in nag


def test_the_apps_own_cdk_nag_comes_before_a_provisioned_one(tmp_path: Path) -> None:
    provisioned = tmp_path / "tools/cdk-nag"

    assert nag_folder(tmp_path, provisioned) == provisioned
    assert nag_folder(tmp_path, None) is None
    write_files(tmp_path, {"node_modules/cdk-nag/package.json": "{}"})
    assert nag_folder(tmp_path, provisioned) == tmp_path / "node_modules/cdk-nag"


def test_no_synth_where_the_projects_code_may_not_run(tmp_path: Path) -> None:
    write_files(tmp_path, {"cdk.json": APP_JSON, "lib/app-stack.ts": ""})
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="",
                          agent="review-infrastructure", files=("lib/app-stack.ts",))

    with pytest.raises(AnalyzerSkipped, match="review --tests"):
        CdkNag().run(ctx)
    assert "not synthesized" in NOT_RUN


STACK = ("const admin = new ec2.SecurityGroup(this, 'Admin', { vpc });\n"   # 1
         "Validations.of(admin).acknowledge({\n"                               # 2
         "  id: 'AwsSolutions-EC23', reason: 'a bastion',\n"                   # 3
         "});\n")                                                              # 4


def _nag(rule: str = "AwsSolutions-EC23") -> Finding:
    return Finding(severity=Severity.MUST_FIX, file="lib/stack.ts", start_line=1, end_line=1,
                   title="open", rationale="r", confidence=0.7, agent="review-infrastructure",
                   source="cdk-nag", rule=rule)


def test_a_cdk_nag_acknowledgement_counts_only_from_the_trusted_side(tmp_path: Path) -> None:
    repo = open_repository(pr_repo(tmp_path / "tree", {"lib/stack.ts": STACK}))

    def suppress(trust: Trust, finding: Finding) -> bool:
        return Suppressor(TrustedFiles(repo, repo.root, trust))(finding) is not None

    added = Trust(added={"lib/stack.ts": frozenset({2, 3, 4})},
                  touched=frozenset({"lib/stack.ts"}))
    assert suppress(Trust.everything(), _nag())
    assert not suppress(added, _nag())  # the change acknowledged it: reported, still open
    assert not suppress(Trust.everything(), _nag("AwsSolutions-S1"))  # another rule
    checkov = _nag().model_copy(update={"source": "checkov", "rule": "AwsSolutions-EC23"})
    assert not suppress(Trust.everything(), checkov)  # cdk-nag's word covers cdk-nag only


FAKE_CLI = """#!/bin/sh
echo "profile=${AWS_PROFILE:-none} stage=${STAGE:-none} aws=$(ls "$HOME/.aws" 2>/dev/null)"
echo "args=$*"
echo "interfaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
echo "Error: the app threw"
exit 1
"""


def test_the_synth_runs_sandboxed_without_credentials_and_its_failure_is_the_gates_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, home = tmp_path / "app", tmp_path / "home"
    write_files(root, {"cdk.json": APP_JSON, "lib/stack.ts": "", "node_modules/.bin/cdk": FAKE_CLI})
    (root / "node_modules/.bin/cdk").chmod(0o755)
    write_files(home, {".aws/credentials": "[default]\n", ".aws/config": "[default]\n"})
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("STAGE", "beta")
    settings = Settings(sandbox_env=("AWS_PROFILE", "STAGE"), sandbox_network=True)
    ctx = GateContext(root=root, settings=settings, changed_files=("lib/stack.ts",),
                      diff_text="", branch="work", default_branch="main", phase="implement")

    result = SynthGate().run(ctx)

    assert not result.passed and result.summary == "`cdk synth (in .)` exited with 1"
    assert "profile=none stage=beta aws=\n" in result.output_tail  # $HOME is an empty folder
    assert "interfaces=lo \n" in result.output_tail  # sandbox_network=True does not reach it
    assert "--no-lookups" in result.output_tail and "Error: the app threw" in result.output_tail
    assert f"--output {root}" not in result.output_tail  # never into the project


def test_a_stage_s_nested_assembly_is_read_and_its_constructs_traced(tmp_path: Path) -> None:
    """A hand-written assembly in the shape aws-cdk-lib writes for `new Stage(app, 'Prod')`."""
    app = tmp_path / "app"
    write_files(app, {"lib/stack.ts": "x\n" * 12, "cdk.json": APP_JSON})
    out = tmp_path / "out"
    bucket = "/Prod/AppStack/Bucket/Resource"
    write_files(out, {
        "manifest.json": json.dumps({"artifacts": {"assembly-Prod": {
            "type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}}),
        "assembly-Prod/manifest.json": json.dumps({"artifacts": {"ProdAppStack": {
            "type": "aws:cloudformation:stack", "additionalMetadataFile": "m.json",
            "properties": {"templateFile": "ProdAppStack.template.json"}}}}),
        "assembly-Prod/ProdAppStack.template.json": json.dumps({"Resources": {"Bucket1": {
            "Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": bucket[1:]}}}}),
        "assembly-Prod/m.json": json.dumps({"/Prod/AppStack": [
            {"type": "aws:cdk:creationStack", "data": [f"<anonymous> ({app}/lib/stack.ts:2:1)"]},
            {"type": "aws:cdk:templateFile", "data": "ProdAppStack.template.json"}], bucket: [
            {"type": "aws:cdk:logicalId", "data": "Bucket1"},
            {"type": "aws:cdk:creationStack",
             "data": ["...aws-cdk-lib...", f"new AppStack ({app}/lib/stack.ts:11:5)"]}]})})

    (stack,) = stacks(out)
    path = stack.construct_path("Bucket1")

    assert stack.name == "ProdAppStack" and path == bucket[1:]
    assert stack_of(str(path), [stack]) is stack
    found = origin(stack, str(path), tmp_path, app)
    assert (found.file, found.line, found.mapped) == ("app/lib/stack.ts", 11, True)
    unrecorded = origin(stack, "Prod/AppStack/Other", tmp_path, app)
    assert (unrecorded.file, unrecorded.line, unrecorded.mapped) == ("app/lib/stack.ts", 2, False)
    nowhere = origin(stack, "Elsewhere/Thing", tmp_path, app)
    assert (nowhere.file, nowhere.line, nowhere.mapped) == ("app/cdk.json", 1, False)


def test_a_worktree_without_node_modules_finds_the_checkouts_cli_and_cdk_nag(
        tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    write_files(checkout, {"node_modules/.bin/cdk": "#!/bin/sh\n",
                           "node_modules/cdk-nag/package.json": '{"version": "3.0.2"}\n'})
    tree = run_worktree(checkout)  # borrows up to here
    write_files(tree, {"cdk.json": APP_JSON, "package.json": "{}\n"})

    assert find_apps(tree) == [CdkApp("")]  # no "the project has no CDK CLI"
    assert cli_path(tree) == checkout / "node_modules/.bin/cdk"
    assert project_nag(tree) == checkout / "node_modules/cdk-nag"


def test_every_source_of_an_app_reaches_the_infrastructure_reviewers_cdk_analyzers(
        tmp_path: Path) -> None:
    """`lib/uploads.ts` matches none of the reviewer's scope globs (`*stack*.ts`, `cdk/`, …):
    the CDK analyzers claim it, so it is among the files they are given."""
    write_files(tmp_path, {"app/cdk.json": APP_JSON, "app/lib/uploads.ts": "export {}\n",
                           "web/lib/uploads.ts": "export {}\n"})
    _cli(tmp_path / "app")
    infra = next(a for a in load_agents(tmp_path).agents if a.name == "review-infrastructure")
    diff = "".join(f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n"
                   f"@@ -0,0 +1 @@\n+export {{}}\n" for p in ("app/lib/uploads.ts",
                                                               "web/lib/uploads.ts"))
    seen: list[tuple[str, ...]] = []

    class Recorder(CdkNag):
        def run(self, ctx: AnalyzerContext) -> list[Finding]:
            seen.append(ctx.files)
            return []

    assert not infra.applies_to("app/lib/uploads.ts")
    run_for_agent(infra, tmp_path, diff, registry={"cdk-nag": Recorder()},
                  tests=project_tests(Settings()))

    assert seen == [("app/lib/uploads.ts",)]  # the app's source, not the web one


def test_a_cdk_analyzer_claims_an_apps_sources_and_nothing_else(tmp_path: Path) -> None:
    """Every source of a CDK app is infrastructure whatever its name; a file of another
    kind, in the app's folder or not, is never claimed (and no app is looked for)."""
    (tmp_path / "infra" / "lib").mkdir(parents=True)
    (tmp_path / "infra" / "cdk.json").write_text(json.dumps({"app": "npx ts-node bin/app.ts"}))
    claims = CdkNag().claims
    assert claims(tmp_path, "infra/lib/uploads.ts")
    assert claims(tmp_path, "infra/cdk.json")
    assert not claims(tmp_path, "infra/lib/handler.py")
    assert not claims(tmp_path, "infra/README.md")
    assert not claims(tmp_path, "web/src/app.ts")
