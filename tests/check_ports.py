#!/usr/bin/env python3
"""The embedded packages (ports/, zephyr/module.yml, library.json).

Checks that the manifests parse, carry what their formats require and agree
with sio.h's version; that the Kconfig of the ESP-IDF component and of the
Zephyr module loads without a warning (kconfiglib, the library both tools
descend from); that its options reach the build: each port's translation
unit compiles against the configuration header Kconfig writes, and
tests/test_profile.c, built the same way, enforces the limits it sets; and
that the ports' CMake files, run under stand-ins of ESP-IDF's and Zephyr's
functions, name files that exist.  ESP-IDF, PlatformIO, Arduino and Zephyr
themselves are not on this machine: their builds are not exercised.
Prints "N passed, N failed"."""
import json, os, re, shutil, subprocess, sys, tempfile

import kconfiglib
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LWIP = os.environ.get("LWIP_INCLUDE", "/usr/include/lwip")
CC = os.environ.get("CC", "gcc")
WARN = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"]
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print("ok   " + name)
    except Exception as e:  # a failed check names its cause and the rest go on
        results.append(False)
        print("FAIL " + name + ": " + str(e))


def need(cond, what):
    if not cond:
        raise AssertionError(what)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def version():
    text = read("src/begin.h")
    parts = [re.search(r"#define SIO_VERSION_%s (\d+)" % k, text).group(1) for k in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


URLS = []


def check_library_json():
    j = json.loads(read("library.json"))
    for key in ("name", "version", "description", "keywords", "repository", "license", "frameworks", "platforms"):
        need(key in j, "library.json has no " + key)
    need(j["version"] == version(), "library.json version %s, sio.h %s" % (j["version"], version()))
    need(j["build"]["srcDir"] == ".", "srcDir")
    files = [f[2:-1] for f in j["build"]["srcFilter"] if f.startswith("+<")]
    need(files, "srcFilter names no file")
    for f in files:
        need(os.path.isfile(os.path.join(ROOT, f)), "srcFilter names a missing file: " + f)
    for f in j["export"]["include"]:
        need(os.path.exists(os.path.join(ROOT, f)), "export names a missing path: " + f)
    URLS.append(j["homepage"])


ARDUINO_CATEGORIES = {"Display", "Communication", "Signal Input/Output", "Sensors", "Device Control", "Timing",
                      "Data Storage", "Data Processing", "Other"}


def properties(text):
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        need("=" in line, "not key=value: " + line)
        k, v = line.split("=", 1)
        need(k not in out, "key twice: " + k)
        out[k] = v
    return out


def check_library_properties():
    p = properties(read("ports/arduino/library.properties"))
    for key in ("name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url", "architectures"):
        need(p.get(key), "library.properties has no " + key)
    need(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.\-]*", p["name"]), "name")
    need(p["version"] == version(), "library.properties version %s, sio.h %s" % (p["version"], version()))
    need(p["category"] in ARDUINO_CATEGORIES, "category " + p["category"])
    need(os.path.isfile(os.path.join(ROOT, p["includes"])), "includes names a missing header")
    URLS.append(p["url"])


def check_idf_component_yml():
    y = yaml.safe_load(read("ports/esp-idf/idf_component.yml"))
    need(str(y["version"]) == version(), "idf_component.yml version")
    need(y.get("description") and y.get("url"), "description and url")
    need("idf" in y.get("dependencies", {}), "the idf dependency")
    URLS.append(y["url"])


def check_zephyr_module_yml():
    y = yaml.safe_load(read("zephyr/module.yml"))
    need(os.path.isfile(os.path.join(ROOT, y["build"]["cmake"], "CMakeLists.txt")), "build.cmake")
    need(os.path.isfile(os.path.join(ROOT, y["build"]["kconfig"])), "build.kconfig")


def check_urls():
    need(len(URLS) == 3 and len({u.rstrip("/") for u in URLS}) == 1, "the manifests name different homes: %r" % URLS)


def load_kconfig(top, values, out_dir, header):
    """Loads a Kconfig, sets values (name -> string), writes the C header."""
    os.environ["srctree"] = ROOT
    kconf = kconfiglib.Kconfig(top, warn_to_stderr=False)
    need(not kconf.warnings, "Kconfig warnings: %r" % kconf.warnings)
    for name, value in values.items():
        sym = kconf.syms[name]
        need(sym.set_value(value), "cannot set " + name)
        need(sym.str_value == value, "%s is %s, not %s (a dependency?)" % (name, sym.str_value, value))
    kconf.write_autoconf(os.path.join(out_dir, header))
    return kconf


def run(cmd, what):
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    need(r.returncode == 0, what + " failed:\n" + r.stdout[-3000:])
    return r.stdout


def profile_test(tmp, header, extra_includes):
    exe = os.path.join(tmp, "test_profile")
    cmd = [CC] + WARN + ["-I.", "-Itests"]
    for inc in extra_includes:
        cmd += ["-include", inc]
    run(cmd + ["tests/test_profile.c", "-o", exe, "-lmbedtls", "-lmbedx509", "-lmbedcrypto"], "test_profile build")
    out = run([exe], "test_profile (" + header + ")")
    need(re.search(r"^3 passed, 0 failed$", out, re.M), out)


ESP_CONFIGS = {
    "ESP-IDF defaults (small target, mbedTLS)": {},
    "ESP-IDF desktop limits, polling, proxies, no TLS": {
        "SIO_SMALL_TARGET": "n", "SIO_MAX_MESSAGE": "300000", "SIO_MAX_SEND_QUEUE": "500000",
        "SIO_POLLING": "y", "SIO_DEFLATE": "y", "SIO_PROXY": "y", "SIO_TLS_MBEDTLS": "n"},
    "ESP-IDF WebSocket only": {"SIO_SOCKETIO": "n", "SIO_TLS_MBEDTLS": "n"},
}


def check_esp_idf_kconfig(values):
    def go():
        with tempfile.TemporaryDirectory() as tmp:
            load_kconfig(os.path.join(ROOT, "ports/esp-idf/Kconfig"), values, tmp, "sdkconfig.h")
            run([CC] + WARN + ["-I" + tmp, "-I" + LWIP, "-I.", "-c", "ports/esp-idf/sio_esp_idf.c",
                               "-o", os.path.join(tmp, "esp.o")], "ports/esp-idf/sio_esp_idf.c")
            profile_test(tmp, "sdkconfig.h", [os.path.join(tmp, "sdkconfig.h"), "ports/sio_kconfig.h"])
    return go


ZEPHYR_STUB = """mainmenu "stand-in for Zephyr's Kconfig tree"
config NETWORKING
\tbool
\tdefault y
config NET_SOCKETS
\tbool
\tdefault y
config POSIX_API
\tbool
\tdefault y
config CSPRNG_ENABLED
\tbool
source "%s"
"""


def check_zephyr_kconfig():
    with tempfile.TemporaryDirectory() as tmp:
        top = os.path.join(tmp, "Kconfig")
        with open(top, "w") as f:
            f.write(ZEPHYR_STUB % os.path.join(ROOT, "ports/zephyr/Kconfig"))
        kconf = load_kconfig(top, {"SIO": "y", "SIO_MAX_MESSAGE": "65536"}, tmp, "autoconf.h")
        need(kconf.syms["CSPRNG_ENABLED"].str_value == "y", "CONFIG_SIO does not select the CSPRNG")
        # Zephyr's POSIX API is stood in for by this machine's: the translation unit and its macros
        run([CC] + WARN + ["-D_POSIX_C_SOURCE=200809L", "-include", os.path.join(tmp, "autoconf.h"), "-I.", "-c",
                           "ports/zephyr/sio_zephyr.c", "-o", os.path.join(tmp, "z.o")], "ports/zephyr/sio_zephyr.c")
        profile_test(tmp, "autoconf.h", [os.path.join(tmp, "autoconf.h"), "ports/sio_kconfig.h"])


CMAKE_STANDINS = r"""
cmake_policy(SET CMP0057 NEW)
set(errors "")
macro(expect_file dir f)
  if(NOT EXISTS "${dir}/${f}")
    string(APPEND errors "missing ${dir}/${f}; ")
  endif()
endmacro()
function(idf_component_register)
  cmake_parse_arguments(A "" "" "SRCS;INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES" ${ARGN})
  foreach(f ${A_SRCS})
    expect_file("${CMAKE_CURRENT_LIST_DIR}" "${f}")
  endforeach()
  foreach(d ${A_INCLUDE_DIRS})
    expect_file("${CMAKE_CURRENT_LIST_DIR}/${d}" "sio.h")
  endforeach()
  if(NOT "lwip" IN_LIST A_REQUIRES)
    string(APPEND errors "lwip is not required; ")
  endif()
  set(errors "${errors}" PARENT_SCOPE)
  set(COMPONENT_LIB "__idf_sio" PARENT_SCOPE)
endfunction()
function(target_compile_definitions target)
  message(STATUS "definitions of ${target}: ${ARGN}")
endfunction()
function(zephyr_library)
  set(zephyr_library_called 1 PARENT_SCOPE)
endfunction()
function(zephyr_library_sources)
  foreach(f ${ARGN})
    expect_file("${CMAKE_CURRENT_LIST_DIR}" "${f}")
  endforeach()
  set(errors "${errors}" PARENT_SCOPE)
endfunction()
function(zephyr_include_directories)
  foreach(d ${ARGN})
    expect_file("${d}" "sio.h")
  endforeach()
  set(errors "${errors}" PARENT_SCOPE)
endfunction()
function(zephyr_compile_definitions)
endfunction()
function(zephyr_library_link_libraries)
endfunction()
set(CONFIG_SIO y)
set(CONFIG_SIO_TLS_MBEDTLS y)
include("${PORT}/CMakeLists.txt")
if(DEFINED EXPECT_ZEPHYR AND NOT zephyr_library_called)
  string(APPEND errors "zephyr_library() was not called; ")
endif()
if(errors)
  message(FATAL_ERROR "${errors}")
endif()
"""


def check_cmake(port, zephyr):
    def go():
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "standins.cmake")
            with open(script, "w") as f:
                f.write(CMAKE_STANDINS)
            cmd = ["cmake", "-DPORT=" + os.path.join(ROOT, port)] + (["-DEXPECT_ZEPHYR=1"] if zephyr else [])
            run(cmd + ["-P", script], port + "/CMakeLists.txt")
    return go


def check_arduino_package():
    with tempfile.TemporaryDirectory() as tmp:
        run(["sh", "tools/package_arduino.sh", tmp], "tools/package_arduino.sh")
        lib = os.path.join(tmp, "sio")
        for f in ("library.properties", "src/sio.h", "src/sio_impl_lwip.c", "src/sio_esp32_hooks.c", "LICENSE"):
            need(os.path.isfile(os.path.join(lib, f)), "the package has no " + f)
        # Arduino compiles every .c of src/: the platform file (the implementation) once, here with lwIP's headers
        run([CC] + WARN + ["-I" + LWIP, "-c", os.path.join(lib, "src/sio_impl_lwip.c"), "-o",
                           os.path.join(tmp, "a.o")], "the package's sio_impl_lwip.c")
        out = run(["sh", "-c", "nm " + os.path.join(tmp, "a.o") + " | grep -c ' T sio_'"], "nm")
        need(int(out.strip()) > 50, "the package's platform file does not hold the implementation")


def main():
    check("library.json (PlatformIO): fields, version, the files it builds", check_library_json)
    check("library.properties (Arduino): fields, version, category", check_library_properties)
    check("idf_component.yml (ESP-IDF component manager): parses, version", check_idf_component_yml)
    check("zephyr/module.yml: parses, its CMake and Kconfig exist", check_zephyr_module_yml)
    check("the manifests name one home", check_urls)
    for name, values in ESP_CONFIGS.items():
        check("Kconfig -> sdkconfig.h -> build and limits: " + name, check_esp_idf_kconfig(values))
    check("Zephyr Kconfig (CONFIG_SIO=y) -> autoconf.h -> build and limits", check_zephyr_kconfig)
    check("ports/esp-idf/CMakeLists.txt under ESP-IDF stand-ins", check_cmake("ports/esp-idf", False))
    check("ports/zephyr/CMakeLists.txt under Zephyr stand-ins", check_cmake("ports/zephyr", True))
    check("the Arduino package (tools/package_arduino.sh): layout, its sources compile", check_arduino_package)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
