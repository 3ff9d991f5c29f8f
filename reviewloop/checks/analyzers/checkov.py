"""The `checkov` analyzer: infrastructure-as-code checks, for the infrastructure reviewer.

Covers Terraform and OpenTofu (`*.tf`, `*.tf.json`, `*.tofu`, `*.tofu.json`: checkov skips
an OpenTofu name, so it reads each under a `.tf` alias, `staged`; and `*.hcl`, which checkov's
Terraform runner reads with the folder's `.tf` files), Dockerfiles (`languages.by_name`'s
names, a file the repository builds as one too, `dockerfile_builds`: shown to checkov as
`Dockerfile`), GitHub workflows, what `checkov_documents` tells from a YAML/JSON file's
parsed documents as checkov does (CloudFormation, Kubernetes, ARM, OpenAPI, Argo: a comment
or an escape, in a key too, changes nothing; one in UTF-16 is named as not read), and what
`checkov_frameworks` tells by checkov's own rules: Bicep, Ansible playbooks and roles' task
lists (a play's `pre_tasks`, `post_tasks` and `handlers` too, `ansible_sections`), Serverless
(v3's IAM statements too, `serverless_iam`), and Azure, GitLab, Bitbucket and CircleCI pipelines.

checkov is not a Python dependency of reviewloop (its pins clash with langchain-aws): it
runs from its own cached environment, installed on first use (`provision.py`), else from
PATH; when neither is there, `available()` says why and names the fix command.

A changed Terraform file is read with its module, as `terraform plan` and plain `checkov -d`
read it: the folder's other `.tf` files and the variable files Terraform loads by itself
(`terraform.tfvars`, `*.auto.tfvars`, their `.json` forms), a link among them to a file
inside the tree too (`paths.in_tree_file`), so an SSH port opened through `terraform.tfvars`
is seen (`staged`), and the local modules it calls (`terraform_modules`), whose resources
checkov renders with the caller's inputs, and the modules that call it. A changed variable
file Terraform loads by itself is one of checkov's files too: its module is read for it. So
is a module whose only change takes a file away (deletes it, or renames it out: `_bereft`),
as it is now. Findings on the module's unchanged files are compared with a run on the
change's base, which reads the same module (`base_context`, `review.introduced`): one the
change brought about (a security group in `main.tf` that a changed `terraform.tfvars` or
variable default opens) is shown on the changed lines that set the variable it reads (on a
called module's resource, the `module` block's changed input), or about the file it took
away (`checkov_vars`); the others are dropped.

A changed Kubernetes manifest is read with the unchanged ones checkov's graph checks relate
it to anywhere in the tree (`kubernetes_graph`: a binding of a changed Role, a pod a changed
or deleted NetworkPolicy selected), a changed file with the unchanged `serverless.yml` whose
`${file(…)}` reads it (`serverless_files`), at the base too, and a finding the change brought
about on one of them is shown on the changed file (`checkov_related`).

A change reaching a Kustomize build has it rendered offline in the sandbox, at the base too
(`kustomize_overlays`, `kustomize_render`: checkov would fetch a remote base), the render
read by checkov's Kubernetes checks; without kubectl or kustomize, or with a remote base,
its files are named.

checkov runs outside the reviewed tree (no `.checkov.yaml` from it: the policies and the
variable files it names are added by `run`, `checkov_policies`; a changed one is read with
the modules that declare what it sets, `terraform_var_files`, and a changed `.tfvars` no run
loads is named), and its skipped checks are findings too: a `#checkov:skip=` comment
counts only where the trusted side wrote it
(`reviewloop.checks.suppressions`), which lists what it covers as suppressed.

Severity: without a Prisma Cloud API key checkov reports none, so it is read from a
published table (`iac_severity`: trivy-checks' rating of the same misconfiguration, else
Prisma Cloud's): CRITICAL and HIGH → must_fix, the rest should_fix.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import ansible_sections as sections
from reviewloop.checks.analyzers import checkov_documents as documents
from reviewloop.checks.analyzers import checkov_frameworks as frameworks
from reviewloop.checks.analyzers import helm_charts as helm
from reviewloop.checks.analyzers import kustomize_overlays as kustomize
from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.bicep_loops import unwrapped_files
from reviewloop.checks.analyzers.checkov_cross_files import cross_files, relations
from reviewloop.checks.analyzers.checkov_documents import sniffed
from reviewloop.checks.analyzers.checkov_policies import Policies, project_policies, var_files
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.checks.analyzers.checkov_related import past_bound, shown_on_change
from reviewloop.checks.analyzers.checkov_results import NAME, file_of, finding
from reviewloop.checks.analyzers.checkov_unopened import CheckovClaims, unopened
from reviewloop.checks.analyzers.checkov_vars import on_changed_variables
from reviewloop.checks.analyzers.checkov_views import as_dockerfiles, linked_as
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.analyzers.provisioned import ProvisionedAnalyzer
from reviewloop.checks.analyzers.serverless_files import view_links
from reviewloop.checks.analyzers.serverless_iam import rekeyed_services
from reviewloop.checks.analyzers.terraform_modules import (
    HCL,
    TOFU,
    called,
    callers,
    module_files,
    unfetched,
)
from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS as _auto_vars
from reviewloop.checks.analyzers.terraform_moves import LOCK_FILE, taken_from
from reviewloop.checks.analyzers.terraform_var_files import gaps, reached
from reviewloop.checks.analyzers.terraform_var_links import followed
from reviewloop.checks.paths import in_tree_file, repo_path
from reviewloop.findings.schema import Finding
from reviewloop.git.languages import DOCKERFILE, by_name
from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach, listed

TOOL = TOOLS[NAME]
# no network: no guideline download, no update check
QUIET_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
TERRAFORM = ("terraform", "terraform_json")
MODULES = "terraform modules"  # a view of the changed files, Terraform as modules, read with -d
# a workflow file, in a subfolder too: GitHub runs only the top ones, checkov reads them all
_workflow = compiled_on_first_use(r"(^|/)\.github/workflows/(?:[^/]+/)*[^/]+\.[yY][aA]?[mM][lL]$")


def framework(path: str, text: str | None = None) -> str | None:
    """The checkov framework for a file by its name, or for YAML/JSON by its whole text
    (`sniffed`) as checkov parses it (`checkov_documents`): a comment or an escape changes
    nothing."""
    pure = PurePosixPath(path)
    name = pure.name
    if by_name(name) == DOCKERFILE:  # `git.languages`' rule (`Containerfile.dev` too)
        return "dockerfile"
    if _auto_vars().match(name):  # read with its module (`staged`), whose values it sets
        return "terraform_json" if name.endswith(".json") else "terraform"
    if name.endswith((".tf.json", ".tofu.json")):
        return "terraform_json"  # `--framework terraform` reads no .tf.json file
    if pure.suffix in (".tf", TOFU) or (pure.suffix == HCL and name != LOCK_FILE):
        return "terraform"  # checkov's Terraform runner reads `.hcl` as it reads `.tf`
    if _workflow().search(path):
        return "github_actions"
    if named := frameworks.by_name(path):
        return named
    if pure.suffix.lower() not in (".yaml", ".yml", ".json", ".template") or text is None:
        return None
    # Ansible first: a play may hold a manifest or a template in a task's arguments
    return frameworks.by_text(path, text) or documents.kind_of(path, text)


# the skips checkov honours: `#checkov:skip=ID`, Kubernetes annotations and CloudFormation's
# `Metadata: checkov: skip: - id: …` (in every kind of file it reads)
MARKERS = (
    MarkerSyntax(NAME, r"checkov\s*:\s*skip\s*=\s*(?P<rules>[\w-]+)[^\n]*", Reach.LINES, listed,
                 "checkov"),
    MarkerSyntax(NAME, r"checkov\.io/skip\d*[\"']?\s*:\s*[\"']?(?P<rules>CKV2?_\w+)[^\n]*",
                 Reach.LINES, listed, "checkov"),
    MarkerSyntax(NAME, r"\bid\s*:\s*[\"']?(?P<rules>CKV2?_[A-Z0-9_]+)[^\n]*", Reach.LINES,
                 listed, "CKV"),
)


# checkov's own config and baseline, which it reads from the folder it runs in
CONFIG_FILES = tuple(ConfigFile(name, "checkov") for name in (
    ".checkov.yaml", ".checkov.yml", ".checkov.baseline"))


class Checkov(CheckovClaims, ProvisionedAnalyzer):
    name = NAME
    markers = MARKERS
    config_files = CONFIG_FILES
    tool = TOOL
    env = QUIET_ENV
    isolated = True  # no .checkov.yaml from the reviewed tree: its policies, `run`

    def __init__(self, project: Policies | None = None, policies: Path | None = None,
                 variables: tuple[str, ...] = ()) -> None:
        self.project = project  # the project's own policies (`checkov_policies`)
        self.policies = policies  # the folder they are written in for checkov
        self.variables = variables  # the config's variable files (`checkov_policies`)

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        """With the project's own policies (`checkov_policies`), each file named when some
        of its checks were not run."""
        project = project_policies(ctx) if self.project is None and self.targets(ctx) \
            else Policies()
        for path in _targets(ctx) if project.unrun else ():
            ctx.not_read(path, project.unrun)
        for path, why in (gaps(ctx) | _unrendered(ctx) if self.project is None else {}).items():
            ctx.not_read(path, why)  # a variable file no run fully read, a build not rendered
        variables = var_files(ctx) if self.targets(ctx) else ()
        if not project.files:
            return super().run(ctx) if variables == self.variables else \
                Checkov(project, self.policies, variables).run(ctx)
        with tempfile.TemporaryDirectory(prefix="reviewloop-checkov-policies-") as folder:
            project.write(Path(folder))
            return Checkov(project, Path(folder), variables).run(ctx)

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Its targets, and the changed files it cannot read (`_unrendered`: named)."""
        return sorted({*self.targets(ctx), *_unrendered(ctx)})

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.reads(ctx))

    def heard(self, log: str, given: Any, at: Path, ctx: AnalyzerContext) -> None:
        """A project policy checkov skipped (its log says so; it runs on without it):
        the files it reads are named."""
        for policy, said in (self.project.rejected(log) if self.project else {}).items():
            for path in _targets(ctx):
                ctx.not_read(path, f"the project's checkov policy {policy} was not run: "
                                   f"checkov skipped it ({said})")

    def targets(self, ctx: AnalyzerContext) -> dict[str, str]:
        """The changed files and the modules a deletion alone changed (`_targets`), and
        the unchanged files checkov relates to them across files (`cross_files`)."""
        return _targets(ctx) | reached(ctx) | {path: related.files[path]
                                               for path, (related, _) in cross_files(ctx).items()}

    def command(self, executable: Path, targets: dict[str, str], at: Path) -> list[str]:
        kinds = {k for kind in targets.values() for k in (TERRAFORM if kind == MODULES
                                                          else (kind,))}
        # not --quiet: it drops the skipped checks, which reviewloop judges itself
        argv = [str(executable), "--compact", "--soft-fail", "--skip-download",
                "-o", "json", "--framework", *sorted(kinds)]
        if self.policies is not None:
            argv += ["--external-checks-dir", str(self.policies)]
        viewed = MODULES in targets.values()  # every file is in the view (`staged`)
        # the config's variable files, loaded into every module read (a `-d` run's alone)
        argv += [a for path in self.variables if viewed
                 and (real := in_tree_file(under(at, path), at)) is not None
                 for a in ("--var-file", str(real))]
        for path, kind in targets.items():
            if kind == MODULES:
                argv += ["-d", path]
            elif not viewed:
                argv += ["-f", str(under(at, path))]
        return argv

    def to_findings(self, report: Any, ctx: AnalyzerContext) -> list[Finding]:
        return to_findings(report, ctx)

    def base_folders(self, ctx: AnalyzerContext) -> tuple[str, ...]:
        """Compared with its run on the base's versions of the changed files (a deleted
        `block_public_acls = true` or `USER` line counts, `review.introduced`)."""
        return ()

    def base_context(self, ctx: AnalyzerContext) -> tuple[str, ...]:
        """The unchanged files of the changed Terraform files' modules: the base run reads
        the module as the head run does (`staged`), so a finding `main.tf` had before a
        `terraform.tfvars` changed is not the change's, and one it did not have is.
        And the module files the change deleted or renamed away (`restrict.auto.tfvars`),
        rebuilt at the base: without them the base module is not the base's, and a value
        the deleted file restricted is open there already."""
        changed = {p for f in ctx.changes.files for p in (f.path, f.old_path) if p}
        terraform = _terraform(ctx)
        unchanged = {*_module_context(ctx, terraform, every=True), *_bereft(ctx, terraform),
                     *cross_files(ctx), *var_files(ctx), *reached(ctx),
                     *kustomize.read_by(ctx.root, ctx.files), *helm.read_by(ctx.root, ctx.files)}
        taken = {p for related, _ in cross_files(ctx).values()
                 for p in (*related.taken, *related.read)}
        return tuple(sorted({*(p for p in unchanged if p not in changed), *_gone(ctx), *taken,
                             *followed(ctx)}))  # a var-file made a link: as the base had it

    def attributed(self, finding: Finding, ctx: AnalyzerContext) -> Finding | None:
        """A finding the change introduced on an unchanged file of a changed module, shown
        on the changed lines that set a variable its resource reads (`checkov_vars`); one on
        a file checkov relates to a changed one, on that file (`checkov_related`)."""
        if (related := cross_files(ctx).get(finding.file)) is not None:
            return shown_on_change(finding, ctx.changes, *related)
        return on_changed_variables(finding, ctx, list(_terraform(ctx)))

    def stage(self, ctx: AnalyzerContext, targets: Any, at: Path, scratch: Path
              ) -> tuple[Any, dict[str, str]]:
        """`staged`, Kustomize builds, Helm charts rendered offline first (`kustomize_overlays`,
        `helm_charts`), read as manifests; a play's other task lists as its tasks, Serverless
        v3's IAM statements as checkov reads them (`serverless_iam`), looped Bicep resources
        unwrapped, escaped keys spelled plainly (`checkov_documents.unescaped`), in place."""
        rest, renders, aliases = kustomize.rendered(targets, at, scratch / "kz", ctx)
        rest, charts, more = helm.rendered(rest, at, scratch / "helm", ctx)
        given, links = rekeyed_services(*self.staged(rest, at, scratch), rest, at, scratch / "sls")
        given, links = documents.unescaped(*unwrapped_files(
            given, links, rest, at, scratch / "bicep"), rest, at, scratch / "keys")
        plays, played = sections.copies(rest, at, scratch / "plays")  # pre_tasks as tasks
        return given | renders | charts | plays, links | aliases | more | played

    def staged(self, targets: dict[str, str], at: Path, scratch: Path
               ) -> tuple[dict[str, str], dict[str, str]]:
        """Dockerfiles shown to checkov as `Dockerfile` (`_as_dockerfiles`). With Terraform
        among them, every file in one view read with `-d` (checkov ignores each `-f` once
        given a `-d`, so one run reads them all; two cost a second start-up, ~3 s of CPU):
        each changed Terraform file as the module it belongs to, as plain `checkov -d` and
        `terraform plan` read it — links in `scratch/tf`, each folder at its path in the
        tree (`_folders`: the local modules its module blocks call too, so a `source =
        "./modules/x"` leads to them, and checkov reports their resources with the caller's
        inputs), to its `.tf`/`.tf.json` files, the variable files Terraform loads by itself
        (`terraform.tfvars`, `*.auto.tfvars`), so a value set there is the one checked, and
        OpenTofu's files under a `.tf` name (checkov 3 skips a `.tofu` one; a `.tofu` file
        wins over its `.tf` twin, as in OpenTofu) — and each other file alone in a folder of
        its own, where a walk of the folder finds it (`checkov_frameworks.view_path`: a
        workflow under `.github/workflows/`, a CircleCI config under `.circleci/`, a hidden
        name behind a `_`). Findings on a file the change did not touch are dropped later."""
        if not any(kind in TERRAFORM for kind in targets.values()):
            return as_dockerfiles(targets, at, scratch)
        aliases: dict[str, str] = {}
        (scratch / "tf").mkdir(parents=True)  # read as empty when no module file is linked
        for folder in _folders(at, targets):
            for name, source in module_files(under(at, folder), at).items():
                aliases[str(linked_as(under(scratch / "tf", folder) / name, source))] = str(source)
        given, dockerfiles = as_dockerfiles(targets, at, scratch)
        linked = view_links(given, at, scratch / "sls")  # each at its path, as `-f` reads it
        aliases |= linked
        for index, (path, kind) in enumerate(given.items()):
            if kind not in (*TERRAFORM, "dockerfile") and \
                    str(under(at, path)) not in linked.values():
                link = scratch / str(index) / frameworks.view_path(kind, PurePosixPath(path).name)
                aliases[str(linked_as(link, under(at, path)))] = str(under(at, path))
        return {str(scratch): MODULES, **given}, aliases | dockerfiles


def _module_context(ctx: AnalyzerContext, targets: dict[str, str], every: bool = False
                    ) -> dict[str, str]:
    """The unchanged Terraform files read with the changed ones (`staged`), by framework:
    those that declare resources, or `every` one (variable files too)."""
    context = {}
    for folder in _folders(ctx.root, targets):
        for name, source in module_files(under(ctx.root, folder), ctx.root).items():
            path = repo_path(ctx.root, str(source))
            if path not in targets and (every or not _auto_vars().match(name)):
                context[path] = "terraform_json" if name.endswith(".json") else "terraform"
    return context


def _folders(root: Path, targets: Mapping[str, str]) -> list[str]:
    """The folders of the Terraform files among `targets`, the modules that call one of
    them with a local source, then the local modules those call (`terraform_modules`):
    the modules checkov reads, each in the view at its own path, so a call's `source =
    "../modules/x"` leads where it does in the tree."""
    folders = sorted({PurePosixPath(p).parent.as_posix() for p, kind in targets.items()
                      if kind in TERRAFORM})
    if not folders:
        return []
    folders += callers(root, folders)
    return [*folders, *called(root, folders)]


def _unrendered(ctx: AnalyzerContext) -> dict[str, str]:
    """{changed file: why}: builds, charts unrendered; calls not in the tree; unopened."""
    found = kustomize.unrendered(ctx.root, ctx.files) | unopened(ctx.root, ctx.files)
    return found | helm.unrendered(ctx.root, ctx.files, ctx.timeout, ctx.sandbox) | unfetched(
        ctx.root, ctx.changes)


def _terraform(ctx: AnalyzerContext) -> dict[str, str]:
    """The changed Terraform files (variable files among them, the config's `var-file`s
    too: `checkov_policies`), by name alone: no text read."""
    named = set(var_files(ctx))  # a link to one inside the tree too (`terraform_var_links`)
    return {path: kind for path in (*ctx.files, *followed(ctx))
            if (kind := "terraform" if path in named else framework(path)) in TERRAFORM}


def _gone(ctx: AnalyzerContext) -> list[str]:
    """The module files the change deleted, or renamed away from their module: their base
    paths (`terraform_moves.taken_from`)."""
    return [diff.old_path for diff in taken_from(ctx.changes) if diff.old_path]


def _bereft(ctx: AnalyzerContext, named: Mapping[str, str]) -> dict[str, str]:
    """The files, by framework, of each module the change took a file from (`_gone`) and
    wrote none of `named`'s Terraform files in: read as the module is now, whose change is
    that deletion alone, and compared with the base's module (`base_context`)."""
    folders = {str(PurePosixPath(p).parent) for p in _gone(ctx)} - \
        {str(PurePosixPath(p).parent) for p, kind in named.items() if kind in TERRAFORM}
    return {repo_path(ctx.root, str(source)): "terraform_json" if name.endswith(".json")
            else "terraform"
            for folder in sorted(folders)
            for name, source in module_files(under(ctx.root, folder), ctx.root).items()}


def _targets(ctx: AnalyzerContext) -> dict[str, str]:
    """The changed files checkov reads, by framework, and the modules a deletion alone
    changed (`_bereft`)."""
    named = {path: kind for path in ctx.files if (kind := "dockerfile" if ctx.language(
        path) == DOCKERFILE else framework(path, sniffed(ctx.root, path))) is not None}
    named |= {path: kind for path, kind in _terraform(ctx).items() if path not in named}
    named |= dict.fromkeys((p for p in gaps(ctx) if p not in named), "terraform")
    named |= kustomize.targets(ctx.root, ctx.files)  # a build the change reaches, rendered
    named |= helm.targets(ctx.root, ctx.files)  # a chart's files, rendered (`stage`)
    return named | _bereft(ctx, named)


def to_findings(report: Any, ctx: AnalyzerContext) -> list[Finding]:
    """checkov's JSON (one report, a list of them, or a bare summary when nothing was
    scanned) as findings: the failed checks and the ones a skip comment silenced (whether
    that comment counts is reviewloop's decision, not checkov's). A file it was given and
    did not read is named (`checkov_reads`)."""
    reports = report if isinstance(report, list) else [report]
    findings = []
    for one in reports:
        if not isinstance(one, dict):
            raise AnalyzerError(f"checkov's JSON report is not an object: {str(one)[:200]}")
        results = one.get("results") or {}
        for path in results.get("parsing_errors") or []:  # a parse error is a result
            ctx.not_read(repo_path(ctx.root, str(path)), "could not parse it (checkov lists "
                                                         "it under parsing_errors)")
        checks = [*(results.get("failed_checks") or []), *(results.get("skipped_checks") or [])]
        findings += [helm.placed(kustomize.placed(finding(c, ctx), one.get("check_type")), ctx.root)
                     for c in checks]
    targets = _targets(ctx)
    unread(reports, targets, lambda check: file_of(check, ctx), ctx, _module_context(ctx, targets))
    for related, _ in relations(ctx):
        for path, why in {**past_bound(related, targets), **related.partial}.items():
            ctx.not_read(path, why)
    return findings

