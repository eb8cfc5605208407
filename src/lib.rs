//! WebCodecs for Node.js: the N-API binding. Each file is one WebCodecs interface and
//! stays thin; pixels, samples and FFmpeg live in the `engine` crate.

mod anchor;
mod audio_data;
mod color_space;
mod counters;
mod encoded_chunk;
mod error;
mod js;
mod memory;
mod options;
mod video_frame;

#[napi_derive::module_init]
fn init() {
    engine::init();
}
