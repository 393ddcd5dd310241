# lit configuration shared by every suite under test/.
import os
import shlex

import lit.formats

config.name = "torch-tidy"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".test"]
config.excludes = ["Inputs", "tools", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.torch_tidy_obj_root, "test")

# The LLVM 19 tools come first: `clang-tidy` on PATH may be another version.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
for var in ("HOME", "TMPDIR", "LANG"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

q = shlex.quote
src = config.torch_tidy_src_root
inputs = os.path.join(src, "test", "checkers", "Inputs")
mock1 = "-isystem " + q(os.path.join(inputs, "libtorch"))
mock2 = "-isystem " + q(os.path.join(inputs, "libtorch-2")) + " " + mock1
check_script = " ".join([
    q(config.python), q(os.path.join(src, "test", "check_torch_tidy.py")),
    "--torch-tidy", q(config.torch_tidy),
    "--clang-tidy", q(config.clang_tidy), "--plugin", q(config.torch_tidy_plugin),
    "--clangxx", q(config.clangxx), "--filecheck", q(config.filecheck),
])
libtorch_flags = ["-std=c++17", "-pthread", "-isystem", q(config.libtorch_include)]
# Built by ctest's libtorch-pch fixture (`cmake --build build --target libtorch-pch`).
if os.path.exists(config.libtorch_pch):
    libtorch_flags += ["-include-pch", q(config.libtorch_pch)]
libtorch_flags = " ".join(libtorch_flags)
libtorch_link = "-L" + q(config.libtorch_libdir) + " -ltorch -ltorch_cpu -lc10 -pthread"

config.substitutions.extend([
    ("%check_torch_tidy", check_script),
    ("%mock_torch2", mock2),
    ("%mock_torch", mock1),
    ("%torch_tidy", q(config.torch_tidy)),
    ("%torch_lint_faults", q(config.torch_lint_faults)),
    ("%torch_lint", q(config.torch_lint)),
    ("%torch_mock_dir", q(os.path.join(inputs, "libtorch"))),
    ("%expect_exit", q(config.python) + " " + q(os.path.join(src, "test", "lint", "Inputs", "expect_exit.py"))),
    ("%lint_inputs", q(os.path.join(src, "test", "lint", "Inputs"))),
    ("%sarif_schema", q(os.path.join(src, "test", "lint", "Inputs", "sarif-schema-2.1.0.json"))),
    ("%torch_clangd", q(config.torch_clangd)),
    ("%clang_tidy_plugin", q(config.clang_tidy) + " --load=" + q(config.torch_tidy_plugin)),
    ("%clangxx", q(config.clangxx)),
    ("%build_flags", "-std=c++17 " + mock1),
    ("%check_cxx_flags", " ".join(["-std=c++17", config.check_definitions] +
                                  ["-isystem " + q(d) for d in config.check_include_dirs])),
    ("%plugin_flags", "-fplugin=" + q(config.torch_tidy_compiler_plugin)),
    ("%compiler_plugin", q(config.torch_tidy_compiler_plugin)),
    ("%package_dir", q(config.torch_tidy_package_dir)),
    ("%cmake", q(config.cmake)),
    ("%ninja", q(config.ninja)),
    ("%distccd", q(config.distccd)),
    ("%distcc", q(config.distcc)),
    ("%ccache", q(config.ccache)),
    ("%with_distccd", q(config.python) + " " + q(os.path.join(src, "test", "builds", "Inputs", "with_distccd.py"))),
    ("%libtorch_flags", libtorch_flags),
    ("%libtorch_include", q(config.libtorch_include)),
    ("%libtorch_link", libtorch_link),
    ("%llvm_major", config.llvm_major),
    ("%python", q(config.python)),
    ("%src_root", q(src)),
    ("%obj_root", q(config.torch_tidy_obj_root)),
])

# torch-lint parses on precompiled preambles from LLVM 17 on (utils/LlvmCompat.h).
if int(config.llvm_major) >= 17:
    config.available_features.add("preambles")

if config.torch_lint_faults_enabled:
    config.available_features.add("torch-lint-faults")

if config.torch_clangd_enabled:
    config.available_features.add("torch-clangd")

if os.path.exists(os.path.join(config.libtorch_include, "torch", "torch.h")):
    config.available_features.add("libtorch")
elif os.environ.get("CI"):
    lit_config.fatal("LibTorch headers not found at %s: CI must run the runtime corpus"
                     % config.libtorch_include)

# The builds suite's compile wrappers: CI installs them (scripts/install-deps.sh).
for feature, tool in (("distcc", config.distcc), ("distccd", config.distccd),
                      ("ccache", config.ccache), ("ninja", config.ninja)):
    if tool:
        config.available_features.add(feature)
    elif os.environ.get("CI"):
        lit_config.fatal("%s not found: CI must run the builds suite (scripts/install-deps.sh)" % feature)

import shutil
if shutil.which("git"):
    config.available_features.add("git")
# Debian's pre-commit, for the hook test (scripts/install-deps.sh installs it).
if shutil.which("pre-commit"):
    config.available_features.add("pre-commit")
elif os.environ.get("CI"):
    lit_config.fatal("pre-commit not found: CI must run the hook test (scripts/install-deps.sh)")
