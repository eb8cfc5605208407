//! The addon's build script: napi-rs's link setup, and with the `static-ffmpeg` feature
//! the link recipe for an FFmpeg built by `scripts/ffmpeg-static.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Libraries that must stay shared: glibc's own, which every Linux process has.
const SYSTEM: [&str; 5] = ["c", "m", "pthread", "dl", "rt"];

/// FFmpeg's own libraries, which ffmpeg-sys-next links itself.
const FFMPEG: [&str; 5] = ["avformat", "avcodec", "swscale", "swresample", "avutil"];

/// Libraries that Debian ships only as shared objects (dav1d, SVT-AV1) or whose archive
/// is not position-independent (libnuma, which x265 uses); the platform package carries
/// them beside the addon, which finds them through its `$ORIGIN` run path.
const BESIDE: [&str; 3] = ["dav1d", "SvtAv1Enc", "numa"];

fn main() {
    napi_build::setup();
    if std::env::var_os("CARGO_FEATURE_STATIC_FFMPEG").is_some() {
        link_static_ffmpeg();
    }
}

/// ffmpeg-sys-next links FFmpeg's own archives (its `static` feature); what they need in
/// turn is listed in FFmpeg's pkg-config files (on `Libs:` in a static-only build). Each
/// of those is linked from its static archive where the compiler finds one, so the addon
/// needs nothing at run time but glibc, libgcc_s and the libraries in `BESIDE`.
fn link_static_ffmpeg() {
    println!("cargo:rerun-if-env-changed=FFMPEG_DIR");
    let dir = PathBuf::from(
        std::env::var_os("FFMPEG_DIR").expect("static-ffmpeg needs FFMPEG_DIR (scripts/ffmpeg-static.sh)"),
    );
    let mut libraries: Vec<String> = Vec::new();
    for module in FFMPEG {
        let pc = dir.join("lib/pkgconfig").join(format!("lib{module}.pc"));
        println!("cargo:rerun-if-changed={}", pc.display());
        for name in linked_libraries(&pc) {
            if !FFMPEG.contains(&name.as_str()) && !libraries.contains(&name) {
                libraries.push(name);
            }
        }
    }
    // The archives go after the crates that use them. rustc's version script for a cdylib
    // keeps every symbol of theirs local: only the N-API entry points leave the addon.
    println!("cargo:rustc-link-arg={}", stderr_shim().display());
    let (shared, archived): (Vec<_>, Vec<_>) =
        libraries.iter().partition(|name| SYSTEM.contains(&name.as_str()) || BESIDE.contains(&name.as_str()));
    for name in archived {
        match static_archive(name) {
            Some(archive) => println!("cargo:rustc-link-arg={}", archive.display()),
            None => println!("cargo:rustc-link-arg=-l{name}"),
        }
    }
    for name in shared {
        println!("cargo:rustc-link-arg=-l{name}");
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN");
}

/// Debian compiles x264's, libopus's and LAME's archives position-independent for
/// executables, not for shared objects: they read glibc's `stderr` as data of their own
/// module, which a shared object cannot link. This object defines that data (hidden, as
/// everything but the N-API entry is) and sets it to glibc's stream when the addon loads.
fn stderr_shim() -> PathBuf {
    const SOURCE: &str = r#"#include <dlfcn.h>
#include <stdio.h>
FILE *stderr;
__attribute__((constructor)) static void bind_stderr(void) {
    FILE **glibc = dlsym(RTLD_DEFAULT, "stderr");
    stderr = glibc ? *glibc : NULL;
}
"#;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let (source, object) = (out.join("stderr.c"), out.join("stderr.o"));
    std::fs::write(&source, SOURCE).expect("write stderr.c");
    let status = Command::new(compiler()).args(["-c", "-fPIC", "-O2", "-o"]).arg(&object).arg(&source).status();
    assert!(status.is_ok_and(|s| s.success()), "compiling {} failed", source.display());
    object
}

fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_owned())
}

/// The names of the `-l` flags on a pkg-config file's `Libs:` and `Libs.private:` lines.
fn linked_libraries(pc: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(pc).unwrap_or_else(|e| panic!("{}: {e}", pc.display()));
    text.lines()
        .filter_map(|line| line.strip_prefix("Libs:").or_else(|| line.strip_prefix("Libs.private:")))
        .flat_map(|libs| {
            libs.split_whitespace().filter_map(|flag| flag.strip_prefix("-l")).map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

/// The path of `lib{name}.a` in the C compiler's library search path, if it has one.
fn static_archive(name: &str) -> Option<PathBuf> {
    let output = Command::new(compiler()).arg(format!("-print-file-name=lib{name}.a")).output().ok()?;
    let path = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    path.is_absolute().then_some(path)
}
