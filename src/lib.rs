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
