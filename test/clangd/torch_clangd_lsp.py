# SPDX-License-Identifier: Apache-2.0
# Drives torch-clangd over LSP as an editor would and asserts what the user sees.
"""Scenarios, one per lit test:

  diagnostics --route clang-tidy|clangd  open a buggy file, assert every diagnostic
      (code, range, message, note as relatedInformation), apply each quick fix
      through textDocument/codeAction and assert the text; a correct file gets
      no diagnostic.
  diagnostics --route none   without configuration the torch- checks stay off.
  fast-check-filter   the torch- checks run under clangd's default
      FastCheckFilter, while clangd's own slow checks are still filtered.
  version   --version lists exactly the torch- checks torch-tidy registers.
  unsafe-fix   an unsafe fix (on a note, clang-tidy's convention) is offered as a
      quick fix titled by its note; clangd 19 cannot mark it unsafe and calls the
      only quick fix preferred whatever its safety.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import (LspError, LspServer, apply_text_edits, path_to_uri,  # noqa: E402
                        uri_to_path, workspace_edit_for)

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "Inputs")
MOCK_TORCH = os.path.join(HERE, "..", "checkers", "Inputs", "libtorch")

CHECK = "torch-missing-zero-grad"
MESSAGE = ("Gradients are not cleared before this 'backward()', so they accumulate "
           "across iterations (fix available)")
NOTE = "The summed gradients are consumed by this 'step()'"

# Only the check under test, so that checks added later cannot change what
# these files produce.
ROUTES = {
    "clang-tidy": (".clang-tidy", "Checks: '-*,%s'\n" % CHECK),
    "clangd": (".clangd", "Diagnostics:\n  ClangTidy:\n    Add: %s\n" % CHECK),
    "none": (None, None),
}


class Failure(Exception):
    pass


def expect(condition, what, detail=""):
    if not condition:
        raise Failure(what + (": " + detail if detail else ""))
    print("ok:", what)


def token_range(text, line_text, token, occurrence=0):
    """The LSP range of `token` on the `occurrence`-th line containing `line_text`."""
    matches = [n for n, line in enumerate(text.splitlines()) if line_text in line]
    line = matches[occurrence]
    column = text.splitlines()[line].index(token)
    return {"start": {"line": line, "character": column},
            "end": {"line": line, "character": column + len(token)}}


def same_file(uri, path):
    return os.path.realpath(uri_to_path(uri)) == os.path.realpath(path)


def describe(diagnostics):
    return "\n".join("  %s %s %s:%s %r" % (
        d.get("source"), d.get("code"), d["range"]["start"]["line"] + 1,
        d["range"]["start"]["character"] + 1, d["message"]) for d in diagnostics) or "  (none)"


class Session:
    """A workspace in a fresh directory with one torch-clangd serving it."""

    def __init__(self, args, files, configs):
        self.args = args
        # Outside the source tree: clangd would apply a .clang-tidy or .clangd
        # of any directory above the workspace.
        self.dir = tempfile.mkdtemp(prefix="torch-clangd-test-")
        with open(os.path.join(self.dir, "compile_flags.txt"), "w") as out:
            out.write("-std=c++17\n-isystem\n%s\n" % os.path.realpath(MOCK_TORCH))
        for name, text in configs.items():
            with open(os.path.join(self.dir, name), "w") as out:
                out.write(text)
        self.paths = {}
        for name in files:
            self.paths[name] = os.path.join(self.dir, name)
            shutil.copy(os.path.join(INPUTS, name), self.paths[name])
        self.log = os.path.join(self.dir, "clangd.log")
        # No user configuration (~/.config/clangd) may change what we test.
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.dir, "xdg-config"))
        self.server = LspServer(
            [os.path.abspath(args.clangd), "--background-index=false", "--log=verbose", "-j=1"],
            cwd=self.dir, env=env, stderr_path=self.log)

    def __enter__(self):
        self.server.__enter__()
        self.server.initialize(self.dir, timeout=self.args.timeout)
        return self

    def __exit__(self, kind, value, traceback):
        self.server.__exit__(kind, value, traceback)
        if kind is None and not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("workspace and clangd log kept in %s" % self.dir, file=sys.stderr)

    def diagnostics(self, name, text, version):
        path = self.paths[name]
        if version == 1:
            self.server.did_open(path, text)
        else:
            self.server.did_change(path, text, version)
        _, diagnostics = self.server.wait_diagnostics(path, version, timeout=self.args.timeout)
        diagnostics.sort(key=lambda d: (d["range"]["start"]["line"],
                                        d["range"]["start"]["character"]))
        print("diagnostics for %s v%d:\n%s" % (name, version, describe(diagnostics)))
        return diagnostics

    def quick_fix(self, name, text, diagnostic):
        """Requests the code actions for `diagnostic`, applies its quick fix."""
        path = self.paths[name]
        actions = self.server.request("textDocument/codeAction", {
            "textDocument": {"uri": path_to_uri(path)}, "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]}}, timeout=self.args.timeout)
        fixes = [a for a in actions or [] if a.get("kind") == "quickfix" and
                 any(d.get("code") == diagnostic["code"] for d in a.get("diagnostics", []))]
        expect(len(fixes) == 1, "one quick fix for %s" % diagnostic["code"],
               "got %r" % actions)
        fix = fixes[0]
        expect(fix.get("isPreferred") is True, "the quick fix is preferred")
        edit = fix["edit"]
        touched = {c["textDocument"]["uri"] for c in edit.get("documentChanges", [])}
        touched |= set(edit.get("changes", {}))
        expect(all(same_file(uri, path) for uri in touched) and touched,
               "the quick fix edits only %s" % name, repr(touched))
        uri = next(iter(touched))
        return fix["title"], apply_text_edits(text, workspace_edit_for(edit, uri))


def expect_zero_grad_warning(diagnostic, path, text, occurrence, step_line):
    """`diagnostic` is our warning on the `occurrence`-th backward() in `text`."""
    want = token_range(text, "Loss.backward();", "backward", occurrence)
    expect(diagnostic.get("source") == "clang-tidy" and diagnostic.get("code") == CHECK,
           "diagnostic %d is %s from clang-tidy" % (occurrence + 1, CHECK), repr(diagnostic))
    expect(diagnostic["range"] == want, "diagnostic %d covers 'backward'" % (occurrence + 1),
           "%r != %r" % (diagnostic["range"], want))
    expect(diagnostic.get("severity") == 2, "diagnostic %d is a warning" % (occurrence + 1))
    expect(diagnostic["message"] == MESSAGE, "diagnostic %d message" % (occurrence + 1),
           repr(diagnostic["message"]))
    related = diagnostic.get("relatedInformation", [])
    want_note = token_range(text, step_line, "step")
    expect(len(related) == 1 and related[0]["message"] == NOTE and
           same_file(related[0]["location"]["uri"], path) and
           related[0]["location"]["range"] == want_note,
           "diagnostic %d carries the step() note as relatedInformation" % (occurrence + 1),
           repr(related))


def insert_line_after(text, anchor, line):
    lines = text.splitlines(keepends=True)
    index = next(n for n, l in enumerate(lines) if anchor in l)
    lines.insert(index + 1, line)
    return "".join(lines)


def run_diagnostics(args):
    config_name, config_text = ROUTES[args.route]
    configs = {config_name: config_text} if config_name else {}
    with open(os.path.join(INPUTS, "train.cpp")) as src:
        buggy = src.read()
    with open(os.path.join(INPUTS, "correct.cpp")) as src:
        correct = src.read()
    with Session(args, ["train.cpp", "correct.cpp"], configs) as session:
        path = session.paths["train.cpp"]
        diagnostics = session.diagnostics("train.cpp", buggy, 1)
        if args.route == "none":
            expect(not [d for d in diagnostics if str(d.get("code", "")).startswith("torch-")],
                   "no torch- diagnostic without configuration", describe(diagnostics))
            return
        expect(len(diagnostics) == 2, "exactly two diagnostics in train.cpp")
        expect_zero_grad_warning(diagnostics[0], path, buggy, 0, "Opt.step();")
        expect_zero_grad_warning(diagnostics[1], path, buggy, 1, "Opt->step();")

        # First quick fix: clear the gradients at the top of the first loop.
        title, text = session.quick_fix("train.cpp", buggy, diagnostics[0])
        expect(title.startswith("insert 'Opt.zero_grad();"), "quick fix title", title)
        want = insert_line_after(buggy, "for (int Epoch = 0;", "    Opt.zero_grad();\n")
        expect(text == want, "the first quick fix inserts 'Opt.zero_grad();'", text)

        diagnostics = session.diagnostics("train.cpp", text, 2)
        expect(len(diagnostics) == 1, "one diagnostic left after the first fix")
        expect_zero_grad_warning(diagnostics[0], path, text, 1, "Opt->step();")

        title, text = session.quick_fix("train.cpp", text, diagnostics[0])
        expect(title.startswith("insert 'Opt->zero_grad();"), "quick fix title", title)
        expect(text == correct, "after both quick fixes train.cpp equals correct.cpp", text)
        diagnostics = session.diagnostics("train.cpp", text, 3)
        expect(diagnostics == [], "no diagnostic once both fixes are applied")

        diagnostics = session.diagnostics("correct.cpp", correct, 1)
        expect(diagnostics == [], "no diagnostic in correct.cpp")


def run_fast_check_filter(args):
    with open(os.path.join(INPUTS, "const.cpp")) as src:
        text = src.read()
    tidy = {".clang-tidy": "Checks: '-*,torch-*,misc-const-correctness'\n"}
    codes = {}
    for name, configs in [
            ("default", tidy),
            ("None", dict(tidy, **{".clangd": "Diagnostics:\n  ClangTidy:\n"
                                              "    FastCheckFilter: None\n"})),
    ]:
        with Session(args, ["const.cpp"], configs) as session:
            # torch-* enables every torch- check; look at the two under test.
            codes[name] = sorted(
                d.get("code") for d in session.diagnostics("const.cpp", text, 1)
                if d.get("code") in (CHECK, "misc-const-correctness"))
    expect(codes["default"] == [CHECK],
           "under the default FastCheckFilter %s runs and misc-const-correctness "
           "(slow in clangd's table) does not" % CHECK, repr(codes["default"]))
    expect(codes["None"] == ["misc-const-correctness", CHECK],
           "with FastCheckFilter: None both run", repr(codes["None"]))


def run_unsafe_fix(args):
    check = "torch-frozen-param-in-optimizer"
    with open(os.path.join(INPUTS, "frozen.cpp")) as src:
        buggy = src.read()
    with Session(args, ["frozen.cpp"], {".clang-tidy": "Checks: '-*,%s'\n" % check}) as session:
        diagnostics = session.diagnostics("frozen.cpp", buggy, 1)
        expect(len(diagnostics) == 1 and diagnostics[0].get("code") == check,
               "one %s diagnostic" % check, describe(diagnostics))
        diagnostic = diagnostics[0]
        expect(diagnostic["message"] == "Optimizer receives frozen parameters of 'Model' "
               "(fix available)", "the warning says a fix is available",
               repr(diagnostic["message"]))
        related = [r["message"] for r in diagnostic.get("relatedInformation", [])]
        expect(related == ["Parameters of 'Body' are frozen here"],
               "the note that carries the fix is not related information", repr(related))
        title, text = session.quick_fix("frozen.cpp", buggy, diagnostic)
        expect(title == "pass only the parameters of 'Head', the submodule of 'Model' that "
               "stays trainable", "the unsafe quick fix is titled by its note", title)
        expect("torch::optim::SGD Opt(Model->Head->parameters(), "
               "torch::optim::SGDOptions(0.1));" in text,
               "the quick fix passes the trainable submodule's parameters", text)
        diagnostics = session.diagnostics("frozen.cpp", text, 2)
        expect(diagnostics == [], "no diagnostic once the fix is applied")


def run_version(args):
    output = subprocess.run([args.clangd, "--version"], capture_output=True, text=True,
                            timeout=args.timeout, check=True).stdout
    print(output, end="")
    lines = output.splitlines()
    expect(re.fullmatch(r"torch-clangd \S+ \(clangd with the torch- checks for LibTorch\)",
                        lines[0]) is not None, "first line names torch-clangd")
    expect(lines[1].startswith("torch- checks: "), "second line lists the torch- checks")
    listed = lines[1][len("torch- checks: "):].split()
    expect(re.search(r"clangd version 19\.", output) is not None, "clangd 19's version follows")
    tidy = subprocess.run([args.torch_tidy, "--checks=-*,torch-*", "--list-checks"],
                          capture_output=True, text=True, timeout=args.timeout,
                          check=True).stdout
    registered = sorted(l.strip() for l in tidy.splitlines() if l.strip().startswith("torch-"))
    expect(listed == registered and CHECK in listed,
           "--version lists exactly the checks torch-tidy registers", "%r != %r" % (
               listed, registered))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario",
                        choices=["diagnostics", "fast-check-filter", "unsafe-fix", "version"])
    parser.add_argument("--clangd", required=True, help="torch-clangd to test")
    parser.add_argument("--torch-tidy", help="torch-tidy, for the version scenario")
    parser.add_argument("--route", choices=sorted(ROUTES), default="clang-tidy")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch workspace (it is kept on failure)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds to wait for any one answer")
    args = parser.parse_args()
    try:
        {"diagnostics": run_diagnostics, "fast-check-filter": run_fast_check_filter,
         "unsafe-fix": run_unsafe_fix, "version": run_version}[args.scenario](args)
    except (Failure, LspError, OSError, subprocess.SubprocessError) as err:
        print("FAIL: %s" % err, file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
