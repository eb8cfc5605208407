//! WebCodecs for Node.js: the N-API binding. Each file is one WebCodecs interface and
//! stays thin; pixels, samples and FFmpeg live in the `engine` crate.

mod anchor;
mod audio_data;
mod audio_decoder;
mod audio_encoder;
mod audio_options;
mod codec_class;
mod codec_options;
mod codec_queue;
mod color_space;
mod counters;
mod encoded_chunk;
mod error;
mod js;
mod mailbox;
mod memory;
mod options;
mod per_env;
mod video_decoder;
mod video_encoder;
mod video_frame;

#[napi_derive::module_init]
fn init() {
    engine::init();
}
