//! Bindings to libaom's encoder API, generated from the installed headers: the engine
//! drives libaom itself where FFmpeg's wrapper cannot take a quantizer per frame
//! (`src/ffi/aom.rs`). With `static-ffmpeg` the addon's build script links libaom's
//! archive with the rest of FFmpeg's libraries; otherwise it is linked here.

use std::path::PathBuf;

fn main() {
    let statically = std::env::var_os("CARGO_FEATURE_STATIC_FFMPEG").is_some();
    let aom = pkg_config::Config::new()
        .cargo_metadata(!statically)
        .probe("aom")
        .expect("libaom's headers (Debian: libaom-dev), found through pkg-config");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindgen::Builder::default()
        .header_contents("aom.h", "#include <aom/aom_encoder.h>\n#include <aom/aomcx.h>\n")
        .clang_args(aom.include_paths.iter().map(|p| format!("-I{}", p.display())))
        .allowlist_function("aom_codec_(enc_config_default|enc_init_ver|enc_config_set|encode|get_cx_data|control|destroy|error|error_detail|av1_cx)")
        .allowlist_function("aom_img_wrap")
        .allowlist_var("AOM_(ENCODER_ABI_VERSION|EFLAG_FORCE_KF|FRAME_IS_KEY|USAGE_.*|CODEC_USE_HIGHBITDEPTH)")
        .allowlist_type("aome_enc_control_id|aom_svc_(params|layer_id|ref_frame_config)_t")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .derive_default(true)
        .layout_tests(false)
        .generate()
        .expect("generating libaom's bindings")
        .write_to_file(out.join("aom.rs"))
        .expect("writing libaom's bindings");
}
