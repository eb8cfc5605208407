//! WebCodecs for Node.js: the N-API binding. Each top-level file is one WebIDL interface
//! and stays thin; the folders hold the machinery by role (`js/` N-API primitives, `codec/`
//! the shared codec machinery, `memory/` lifetimes and accounting, `dict/` dictionary
//! conversion). Pixels, samples and FFmpeg live in the `engine` crate.

mod codec;
mod dict;
mod js;
mod memory;

mod audio_data;
mod audio_decoder;
mod audio_encoder;
mod dom_rect;
mod encoded_chunk;
mod image_decoder;
mod image_track;
mod video_color_space;
mod video_decoder;
mod video_encoder;
mod video_frame;

#[napi_derive::module_init]
fn init() {
    engine::init();
}

/// Every interface object, finished as WebIDL requires (`js::interface::install`); the
/// codecs extend `EventTarget`.
#[napi_derive::napi(module_exports)]
pub fn interfaces(exports: napi::bindgen_prelude::Object, env: napi::Env) -> napi::Result<()> {
    use napi::JsValue;
    let exports = exports.raw();
    macro_rules! install {
        ($($module:ident::$class:ident),* $(,)?) => {
            $(js::interface::install::<$module::$class>(&env, exports, stringify!($class))?;)*
        };
    }
    install!(
        audio_data::AudioData,
        audio_decoder::AudioDecoder,
        audio_encoder::AudioEncoder,
        dom_rect::DOMRectReadOnly,
        encoded_chunk::EncodedAudioChunk,
        encoded_chunk::EncodedVideoChunk,
        image_decoder::ImageDecoder,
        image_track::ImageTrack,
        image_track::ImageTrackList,
        video_color_space::VideoColorSpace,
        video_decoder::VideoDecoder,
        video_encoder::VideoEncoder,
        video_frame::VideoFrame,
    );
    for codec in ["AudioDecoder", "AudioEncoder", "VideoDecoder", "VideoEncoder"] {
        let class = js::raw::get_keyed(&env, exports, js::raw::string(&env, codec)?)?;
        codec::events::inherit_event_target(&env, class)?;
    }
    Ok(())
}
